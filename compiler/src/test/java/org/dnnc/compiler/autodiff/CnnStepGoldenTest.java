package org.dnnc.compiler.autodiff;


import java.util.HashMap;
import java.util.Map;
import org.dnnc.compiler.ir.Graph;
import org.junit.jupiter.api.Test;

/**
 * The training program of a small CNN (conv, training-mode batchnorm, ReLU, max pooling, twice,
 * then a dense head) against PyTorch ({@code golden/cases/cnn_step}): logits, loss and every
 * parameter gradient within the case's tolerances (atol 5e-5, rtol 2e-4).
 */
class CnnStepGoldenTest {
    private static final GoldenCase CASE = GoldenCase.of("cnn_step", 5e-5, 2e-4);
    /** PyTorch's nn.Sequential indices to our layer names. */
    private static final Map<String, String> NAMES = Map.of(
            "0", "logits.conv2d1", "1", "logits.batchnorm1", "4", "logits.conv2d2", "5", "logits.batchnorm2",
            "9", "logits.dense1");

    @Test
    void logitsLossAndParameterGradientsMatchPyTorch() throws Exception {
        Program train = Differentiator.train(Programs.compile("GoldenCnn.dnn").get(0).graph());
        Map<String, double[]> values = new HashMap<>();
        values.put("x", CASE.read("x.npy"));
        values.put("label", CASE.read("label.npy"));
        NAMES.forEach((index, layer) -> {
            values.put(layer + ".weight", CASE.read(index + "_weight.npy"));
            values.put(layer + ".bias", CASE.read(index + "_bias.npy"));
        });
        // Training-mode batchnorm does not read its running statistics.
        values.put("logits.batchnorm1.running_mean", new double[4]);
        values.put("logits.batchnorm1.running_var", new double[] {1, 1, 1, 1});
        values.put("logits.batchnorm2.running_mean", new double[8]);
        values.put("logits.batchnorm2.running_var", new double[] {1, 1, 1, 1, 1, 1, 1, 1});
        Graph graph = train.graph();
        Map<Integer, double[]> result = new Interpreter(2, values, 0).run(graph);

        CASE.assertMatches("logits", result.get(graph.outputs().get("scores")), "logits.npy");
        CASE.assertMatches("loss", result.get(graph.outputs().get("loss")), "loss.npy");
        NAMES.forEach((index, layer) -> {
            CASE.assertMatches(layer + ".weight", result.get(train.gradients().get(layer + ".weight")), "d" + index + "_weight.npy");
            CASE.assertMatches(layer + ".bias", result.get(train.gradients().get(layer + ".bias")), "d" + index + "_bias.npy");
        });
    }
}
