package org.dnnc.compiler.codegen;

import static com.google.common.truth.Truth.assertThat;
import static com.google.common.truth.Truth.assertWithMessage;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.dnnc.compiler.Compiler;
import org.dnnc.compiler.autodiff.Differentiator;
import org.dnnc.compiler.autodiff.Interpreter;
import org.dnnc.compiler.autodiff.Program;
import org.dnnc.compiler.diag.SourceFile;
import org.dnnc.compiler.ir.Node;
import org.dnnc.compiler.ir.Param;
import org.dnnc.compiler.sema.NetworkModel;
import org.dnnc.runtime.Inputs;
import org.dnnc.runtime.data.Dataset;
import org.dnnc.runtime.train.Evaluation;
import org.dnnc.runtime.train.StepResult;
import org.dnnc.runtime.train.TrainableNetwork;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code cross_entropy(logits, tags, ignore: 0)} in a generated class: a training step's loss and
 * gradients are the reference interpreter's (mean over the positions whose tag is not 0, nothing
 * from the others), the step reports the positions it judged, and accuracy counts only those.
 */
class GeneratedIgnoredLabelsTest {
    private static final int BATCH = 3;
    private static final int STEPS = 4;
    private static final String SOURCE = """
            package org.dnnc.test;

            network Tagger {
                input tokens: int[4];
                input tags: int[4];
                output logits = tokens -> embedding(vocab: 6, dim: 3) -> gru(4, return_sequences: true) -> dense(5);
                train {
                    loss      = cross_entropy(logits, tags, ignore: 0);
                    optimizer = sgd(lr: 1.0);
                    batch     = 3;
                }
            }
            """;

    @TempDir
    Path work;

    @Test
    void paddedPositionsTakeNoPart() throws Exception {
        Path file = work.resolve("Tagger.dnn");
        Files.writeString(file, SOURCE);
        SourceFile source = SourceFile.read(file);
        NetworkModel model = Compiler.compile(source).networks().get(0);
        Class<?> generated = JavaSourceCompiler.compile(model.qualifiedName(),
                JavaGenerator.generate(model, source).toString(), work.resolve("classes"), List.of("-Xlint:all", "-Werror"));
        int[] tokens = {1, 2, 3, 4, 5, 1, 0, 0, 2, 2, 2, 0};
        int[] tags = {1, 2, 3, 4, 4, 3, 0, 0, 2, 1, 0, 0};
        int judged = (int) Arrays.stream(tags).filter(t -> t != 0).count();
        Object builder = generated.getMethod("builder").invoke(null);
        try (TrainableNetwork net = (TrainableNetwork) builder.getClass().getMethod("build").invoke(builder)) {
            float[] before = new float[net.parameterCount()];
            net.copyParametersTo(before);
            float[] logits = net.predict(Inputs.of("tokens", tokens)).get("logits");
            int correct = 0;
            for (int r = 0; r < tags.length; r++) {
                int best = 0;
                for (int c = 1; c < 5; c++) {
                    best = logits[r * 5 + c] > logits[r * 5 + best] ? c : best;
                }
                correct += tags[r] != 0 && best == tags[r] ? 1 : 0;
            }
            Dataset data = Dataset.builder().ints("tokens", tokens, STEPS).ints("tags", tags, STEPS).build();
            Evaluation evaluation = (Evaluation) generated.getMethod("evaluate", Dataset.class).invoke(net, data);
            assertThat(evaluation.accuracy()).isWithin(1e-12).of((double) correct / judged);

            StepResult step = net.trainStep(Inputs.of("tokens", tokens).and("tags", tags), BATCH, 1.0);
            assertThat(step.judged()).isEqualTo(judged);
            float[] after = new float[before.length];
            net.copyParametersTo(after);

            Map<String, double[]> values = new HashMap<>();
            values.put("tokens", Arrays.stream(tokens).asDoubleStream().toArray());
            values.put("tags", Arrays.stream(tags).asDoubleStream().toArray());
            int offset = 0;
            for (Node p : model.graph().params()) {
                int count = (int) p.type().elementsPerExample();
                double[] w = new double[count];
                for (int i = 0; i < count; i++) {
                    w[i] = before[offset + i];
                }
                values.put(((Param) p.op()).name(), w);
                offset += count;
            }
            Program train = Differentiator.train(model.graph());
            Map<Integer, double[]> result = new Interpreter(BATCH, values, 0).run(train.graph());
            double loss = result.get(train.graph().outputs().get(Differentiator.LOSS))[0];
            assertThat(step.lossSum() / BATCH).isWithin(1e-5).of(loss);
            offset = 0;
            for (Node p : model.graph().params()) {
                String name = ((Param) p.op()).name();
                double[] gradient = result.get(train.gradients().get(name));
                for (int i = 0; i < gradient.length; i++) {
                    assertWithMessage("gradient of %s[%s]", name, i)
                            .that((double) before[offset + i] - after[offset + i]).isWithin(2e-5).of(gradient[i]);
                }
                offset += gradient.length;
            }
        }
    }
}
