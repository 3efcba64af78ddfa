package org.dnnc.compiler.autodiff;

import static com.google.common.truth.Truth.assertWithMessage;

import java.io.IOException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.dnnc.compiler.ir.Graph;
import org.dnnc.compiler.testing.RepoPaths;
import org.dnnc.runtime.io.Npy;
import org.junit.jupiter.api.Test;

/**
 * The training program of a small CNN (conv, training-mode batchnorm, ReLU, max pooling, twice,
 * then a dense head) against PyTorch ({@code golden/cases/cnn_step}): logits, loss and every
 * parameter gradient within the case's tolerances (atol 5e-5, rtol 2e-4).
 */
class CnnStepGoldenTest {
    private static final Path CASE = RepoPaths.root().resolveSibling("shared").resolve("golden/cases/cnn_step");
    private static final double ATOL = 5e-5;
    private static final double RTOL = 2e-4;
    /** PyTorch's nn.Sequential indices to our layer names. */
    private static final Map<String, String> NAMES = Map.of(
            "0", "logits.conv2d1", "1", "logits.batchnorm1", "4", "logits.conv2d2", "5", "logits.batchnorm2",
            "9", "logits.dense1");

    @Test
    void logitsLossAndParameterGradientsMatchPyTorch() throws Exception {
        Program train = Differentiator.train(Programs.compile("GoldenCnn.dnn").get(0).graph());
        Map<String, double[]> values = new HashMap<>();
        values.put("x", read("x.npy"));
        values.put("label", read("label.npy"));
        NAMES.forEach((index, layer) -> {
            values.put(layer + ".weight", read(index + "_weight.npy"));
            values.put(layer + ".bias", read(index + "_bias.npy"));
        });
        // Training-mode batchnorm does not read its running statistics.
        values.put("logits.batchnorm1.running_mean", new double[4]);
        values.put("logits.batchnorm1.running_var", new double[] {1, 1, 1, 1});
        values.put("logits.batchnorm2.running_mean", new double[8]);
        values.put("logits.batchnorm2.running_var", new double[] {1, 1, 1, 1, 1, 1, 1, 1});
        Graph graph = train.graph();
        Map<Integer, double[]> result = new Interpreter(2, values, 0).run(graph);

        compare("logits", result.get(graph.outputs().get("scores")), read("logits.npy"));
        compare("loss", result.get(graph.outputs().get("loss")), read("loss.npy"));
        NAMES.forEach((index, layer) -> {
            compare(layer + ".weight", result.get(train.gradients().get(layer + ".weight")), read("d" + index + "_weight.npy"));
            compare(layer + ".bias", result.get(train.gradients().get(layer + ".bias")), read("d" + index + "_bias.npy"));
        });
    }

    private static void compare(String what, double[] actual, double[] expected) {
        assertWithMessage("%s: size", what).that(actual.length).isEqualTo(expected.length);
        for (int i = 0; i < actual.length; i++) {
            assertWithMessage("%s[%s]", what, i).that(actual[i]).isWithin(ATOL + RTOL * Math.abs(expected[i])).of(expected[i]);
        }
    }

    private static double[] read(String file) {
        try {
            return Npy.read(CASE.resolve(file)).values();
        } catch (IOException e) {
            throw new AssertionError("cannot read golden file " + CASE.resolve(file) + ": " + e.getMessage(), e);
        }
    }
}
