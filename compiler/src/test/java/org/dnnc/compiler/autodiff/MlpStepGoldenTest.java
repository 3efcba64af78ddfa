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
 * The training program of a 784-256-128-10 ReLU MLP against PyTorch ({@code golden/cases/mlp_step}):
 * logits, loss, and the gradient of every parameter, within the case's tolerances
 * ({@code |a - b| <= atol + rtol·|b|}, atol 2e-5, rtol 1e-4).
 */
class MlpStepGoldenTest {
    private static final Path CASE = RepoPaths.root().resolveSibling("shared").resolve("golden/cases/mlp_step");
    private static final double ATOL = 2e-5;
    private static final double RTOL = 1e-4;
    /** PyTorch's nn.Sequential indices to our layer names. */
    private static final Map<String, String> NAMES = Map.of(
            "0", "logits.dense1", "2", "logits.dense2", "4", "logits.dense3");

    @Test
    void logitsLossAndParameterGradientsMatchPyTorch() throws Exception {
        Program train = Differentiator.train(Programs.compile("GoldenMlp.dnn").get(0).graph());
        Map<String, double[]> values = new HashMap<>();
        values.put("x", read("x.npy"));
        values.put("label", read("label.npy"));
        NAMES.forEach((index, layer) -> {
            values.put(layer + ".weight", read(index + "_weight.npy"));
            values.put(layer + ".bias", read(index + "_bias.npy"));
        });
        Graph graph = train.graph();
        Map<Integer, double[]> result = new Interpreter(4, values, 0).run(graph);

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
            assertWithMessage("%s[%s]", what, i).that(actual[i])
                    .isWithin(ATOL + RTOL * Math.abs(expected[i])).of(expected[i]);
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
