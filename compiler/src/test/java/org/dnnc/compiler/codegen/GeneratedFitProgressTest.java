package org.dnnc.compiler.codegen;

import static com.google.common.truth.Truth.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.SplittableRandom;
import org.dnnc.compiler.Compiler;
import org.dnnc.compiler.diag.SourceFile;
import org.dnnc.compiler.sema.NetworkModel;
import org.dnnc.runtime.data.Dataset;
import org.dnnc.runtime.train.TrainableNetwork;
import org.dnnc.runtime.train.TrainingListener;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The generated builder's {@code progress(...)} decides whether {@code fit} draws its progress bar
 * on standard output; left unset, the bar follows the terminal (tests run without one, so none).
 */
class GeneratedFitProgressTest {
    private static final String SOURCE = """
            package org.dnnc.test;

            network Quiet {
                input x: float[4];
                input label: int;
                logits = x -> dense(3);
                output probs = softmax(logits);

                train {
                    loss      = cross_entropy(logits, label);
                    optimizer = sgd(lr: 0.1);
                    batch     = 4;
                    epochs    = 1;
                }
            }
            """;

    @TempDir
    static Path work;

    private static Class<?> generated;
    private static Dataset data;

    @BeforeAll
    static void generate() throws Exception {
        SourceFile source = new SourceFile("Quiet.dnn", SOURCE);
        NetworkModel model = Compiler.compile(source).networks().get(0);
        generated = JavaSourceCompiler.compile(model.qualifiedName(), JavaGenerator.generate(model, source).toString(),
                work, List.of());
        SplittableRandom random = new SplittableRandom(2);
        float[] x = new float[8 * 4];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) random.nextDouble(-1, 1);
        }
        data = Dataset.of(x, new int[] {4}, random.ints(8, 0, 3).toArray());
    }

    @Test
    void fitDrawsTheBarWhenTheBuilderAsksAndNothingWhenItDoesNot() throws Exception {
        assertThat(fitPrinting(Boolean.TRUE)).contains("epoch 1/1");
        assertThat(fitPrinting(Boolean.FALSE)).isEmpty();
        assertThat(fitPrinting(null)).isEmpty();
    }

    /** What {@code fit} writes to standard output with the builder's {@code progress} set to {@code show}, or unset. */
    private static String fitPrinting(Boolean show) throws Exception {
        Object builder = generated.getMethod("builder").invoke(null);
        if (show != null) {
            builder.getClass().getMethod("progress", boolean.class).invoke(builder, show);
        }
        PrintStream original = System.out;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        try (TrainableNetwork net = (TrainableNetwork) builder.getClass().getMethod("build").invoke(builder)) {
            System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
            generated.getMethod("fit", Dataset.class, Dataset.class, TrainingListener[].class)
                    .invoke(net, data, null, new TrainingListener[0]);
        } finally {
            System.setOut(original);
        }
        return captured.toString(StandardCharsets.UTF_8);
    }
}
