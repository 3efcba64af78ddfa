package org.dnnc.compiler.autodiff;


import java.util.HashMap;
import java.util.Map;
import org.dnnc.compiler.ir.Graph;
import org.junit.jupiter.api.Test;

/**
 * The training program of a 784-256-128-10 ReLU MLP against PyTorch ({@code golden/cases/mlp_step}):
 * logits, loss, and the gradient of every parameter, within the case's tolerances
 * ({@code |a - b| <= atol + rtol·|b|}, atol 2e-5, rtol 1e-4).
 */
class MlpStepGoldenTest {
    private static final GoldenCase CASE = GoldenCase.of("mlp_step", 2e-5, 1e-4);
    /** PyTorch's nn.Sequential indices to our layer names. */
    private static final Map<String, String> NAMES = Map.of(
            "0", "logits.dense1", "2", "logits.dense2", "4", "logits.dense3");

    @Test
    void logitsLossAndParameterGradientsMatchPyTorch() throws Exception {
        Program train = Differentiator.train(Programs.compile("GoldenMlp.dnn").get(0).graph());
        Map<String, double[]> values = new HashMap<>();
        values.put("x", CASE.read("x.npy"));
        values.put("label", CASE.read("label.npy"));
        NAMES.forEach((index, layer) -> {
            values.put(layer + ".weight", CASE.read(index + "_weight.npy"));
            values.put(layer + ".bias", CASE.read(index + "_bias.npy"));
        });
        Graph graph = train.graph();
        Map<Integer, double[]> result = new Interpreter(4, values, 0).run(graph);

        CASE.assertMatches("logits", result.get(graph.outputs().get("scores")), "logits.npy");
        CASE.assertMatches("loss", result.get(graph.outputs().get("loss")), "loss.npy");
        NAMES.forEach((index, layer) -> {
            CASE.assertMatches(layer + ".weight", result.get(train.gradients().get(layer + ".weight")), "d" + index + "_weight.npy");
            CASE.assertMatches(layer + ".bias", result.get(train.gradients().get(layer + ".bias")), "d" + index + "_bias.npy");
        });
    }
}
