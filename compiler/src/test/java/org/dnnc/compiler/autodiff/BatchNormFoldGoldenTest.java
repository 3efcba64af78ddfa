package org.dnnc.compiler.autodiff;

import static com.google.common.truth.Truth.assertThat;

import java.util.HashMap;
import java.util.Map;
import org.dnnc.compiler.target.CpuTarget;
import org.dnnc.compiler.ir.BatchNormFoldBias;
import org.dnnc.compiler.ir.BatchNormFoldWeight;
import org.dnnc.compiler.ir.Graph;
import org.dnnc.compiler.ir.IrPrinter;
import org.dnnc.compiler.ir.Node;
import org.dnnc.compiler.passes.PassListener;
import org.dnnc.compiler.passes.PassManager;
import org.junit.jupiter.api.Test;

/**
 * Inference of conv + batchnorm + ReLU after folding ({@code golden/cases/conv_bn_relu_fold}): one
 * fused call whose folded kernel, folded bias and output match PyTorch (atol 1e-5, rtol 1e-4).
 */
class BatchNormFoldGoldenTest {
    private static final GoldenCase CASE = GoldenCase.of("conv_bn_relu_fold", 1e-5, 1e-4);

    @Test
    void foldedConvolutionMatchesPyTorch() throws Exception {
        Graph infer = CpuTarget.INSTANCE.passes(true).run(Inference.of(Programs.compile("GoldenFold.dnn").get(0).graph()).graph(),
                PassListener.NONE);
        assertThat(IrPrinter.print(infer)).contains("conv2d_bias_relu(");
        assertThat(IrPrinter.print(infer)).doesNotContain("batchnorm_inference(");
        Map<String, double[]> values = new HashMap<>();
        values.put("x", CASE.read("x.npy"));
        values.put("y.conv2d1.weight", CASE.read("conv_weight.npy"));
        values.put("y.conv2d1.bias", CASE.read("conv_bias.npy"));
        values.put("y.batchnorm1.weight", CASE.read("bn_gamma.npy"));
        values.put("y.batchnorm1.bias", CASE.read("bn_beta.npy"));
        values.put("y.batchnorm1.running_mean", CASE.read("bn_running_mean.npy"));
        values.put("y.batchnorm1.running_var", CASE.read("bn_running_var.npy"));
        Map<Integer, double[]> result = new Interpreter(2, values, 0).run(infer);
        CASE.assertMatches("y", result.get(infer.outputs().get("y")), "y.npy");
        for (Node n : infer.nodes()) {
            if (n.op() instanceof BatchNormFoldWeight) {
                CASE.assertMatches("folded_weight", result.get(n.id()), "folded_weight.npy");
            } else if (n.op() instanceof BatchNormFoldBias) {
                CASE.assertMatches("folded_bias", result.get(n.id()), "folded_bias.npy");
            }
        }
    }
}
