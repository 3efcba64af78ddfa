package org.dnnc.compiler.codegen;

import static com.google.common.truth.Truth.assertThat;
import static com.google.common.truth.Truth.assertWithMessage;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.dnnc.compiler.Compiler;
import org.dnnc.compiler.diag.SourceFile;
import org.dnnc.compiler.sema.NetworkModel;
import org.dnnc.runtime.Inputs;
import org.dnnc.runtime.Outputs;
import org.dnnc.runtime.TensorSpec;
import org.dnnc.runtime.data.Dataset;
import org.dnnc.runtime.train.Evaluation;
import org.dnnc.runtime.train.TrainableNetwork;
import org.dnnc.runtime.train.TrainingListener;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A generated class with two inputs (a float image and an int class id, embedded and concatenated)
 * and two outputs trains on data of named columns and returns both outputs by name.
 */
class GeneratedTwoInputsTest {
    private static final String SOURCE = """
            package org.dnnc.test;

            network TwoInputs {
                input image: float[1, 4, 4];
                input class_id: int;
                input label: int;

                hidden = concat(image -> flatten -> dense(8) -> relu, class_id -> embedding(5, 4));
                logits = hidden -> dense(16) -> relu -> dense(3);
                output probs = softmax(logits);
                output code = hidden;

                train {
                    loss      = cross_entropy(logits, label);
                    optimizer = adam(lr: 1e-2);
                    batch     = 16;
                    epochs    = 40;
                }
            }
            """;
    private static final int EXAMPLES = 96;

    @TempDir
    Path work;

    /** Generated examples, as arrays and as a data set of named columns. */
    private record Examples(float[] images, int[] ids, int[] labels) {
        Dataset dataset() {
            return Dataset.builder().features("image", images, 1, 4, 4).ints("class_id", ids).labels("label", labels)
                    .build();
        }
    }

    /**
     * The label needs both inputs, and not as a sum of their separate scores: the class id shifted
     * by one when the image is bright (so the hidden layer after the concatenation is needed).
     * Neither input alone gives more than about half of the labels.
     */
    private static Examples examples(long seed) {
        Random random = new Random(seed);
        float[] images = new float[EXAMPLES * 16];
        int[] ids = new int[EXAMPLES];
        int[] labels = new int[EXAMPLES];
        for (int i = 0; i < EXAMPLES; i++) {
            boolean bright = random.nextBoolean();
            for (int p = 0; p < 16; p++) {
                images[i * 16 + p] = (float) (random.nextGaussian() * 0.5 + (bright ? 1 : -1));
            }
            ids[i] = random.nextInt(5);
            labels[i] = (ids[i] + (bright ? 1 : 0)) % 3;
        }
        return new Examples(images, ids, labels);
    }

    @Test
    void trainsOnNamedColumnsAndReturnsBothOutputs() throws Exception {
        Path file = work.resolve("TwoInputs.dnn");
        Files.writeString(file, SOURCE);
        SourceFile source = SourceFile.read(file);
        NetworkModel model = Compiler.compile(source).networks().get(0);
        Class<?> generated = JavaSourceCompiler.compile(model.qualifiedName(),
                JavaGenerator.generate(model, source).toString(), work.resolve("classes"), List.of("-Xlint:all", "-Werror"));
        assertThrows(NoSuchMethodException.class, () -> generated.getMethod("predict", float[].class),
                "the one-array conveniences exist only for one float input");

        Object builder = generated.getMethod("builder").invoke(null);
        try (TrainableNetwork net = (TrainableNetwork) builder.getClass().getMethod("build").invoke(builder)) {
            assertThat(net.inputs()).containsExactly(TensorSpec.floats("image", 1, 4, 4), TensorSpec.ints("class_id"))
                    .inOrder();
            assertThat(net.targets()).containsExactly(TensorSpec.ints("label"));
            assertThat(net.outputs()).containsExactly(TensorSpec.floats("probs", 3), TensorSpec.floats("code", 12))
                    .inOrder();

            Dataset train = examples(1).dataset();
            Examples test = examples(2);
            Evaluation before = (Evaluation) generated.getMethod("evaluate", Dataset.class).invoke(net, train);
            generated.getMethod("fit", Dataset.class, Dataset.class, TrainingListener[].class)
                    .invoke(net, train, null, new TrainingListener[0]);
            Evaluation after = (Evaluation) generated.getMethod("evaluate", Dataset.class).invoke(net, test.dataset());
            assertWithMessage("held-out accuracy, from %s before training", before.accuracy())
                    .that(after.accuracy()).isAtLeast(0.9);

            Outputs out = net.predict(Inputs.of("image", test.images()).and("class_id", test.ids()));
            int n = EXAMPLES;
            assertThat(out.count()).isEqualTo(n);
            assertThat(out.get("probs")).hasLength(n * 3);
            assertThat(out.get("code")).hasLength(n * 12);
            int correct = 0;
            for (int i = 0; i < n; i++) {
                float[] probs = out.example("probs", i);
                assertThat((double) probs[0] + probs[1] + probs[2]).isWithin(1e-5).of(1.0);
                correct += out.argmax("probs", i) == test.labels()[i] ? 1 : 0;
            }
            assertWithMessage("predict agrees with evaluate").that((double) correct / n)
                    .isWithin(1e-9).of(after.accuracy());
            // The code's last four values are the class id's embedding: equal exactly for equal ids.
            float[] first = Arrays.copyOfRange(out.example("code", 0), 8, 12);
            for (int i = 1; i < n; i++) {
                float[] embedded = Arrays.copyOfRange(out.example("code", i), 8, 12);
                assertWithMessage("embedding of example %s", i).that(Arrays.equals(embedded, first))
                        .isEqualTo(test.ids()[i] == test.ids()[0]);
            }
        }
    }
}
