package org.dnnc.compiler.autodiff;

import static com.google.common.truth.Truth.assertThat;
import static com.google.common.truth.Truth.assertWithMessage;

import java.io.IOException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.dnnc.compiler.ir.BatchNormFoldBias;
import org.dnnc.compiler.ir.BatchNormFoldWeight;
import org.dnnc.compiler.ir.Graph;
import org.dnnc.compiler.ir.IrPrinter;
import org.dnnc.compiler.ir.Node;
import org.dnnc.compiler.passes.PassListener;
import org.dnnc.compiler.passes.PassManager;
import org.dnnc.compiler.testing.RepoPaths;
import org.dnnc.runtime.io.Npy;
import org.junit.jupiter.api.Test;

/**
 * Inference of conv + batchnorm + ReLU after folding ({@code golden/cases/conv_bn_relu_fold}): one
 * fused call whose folded kernel, folded bias and output match PyTorch (atol 1e-5, rtol 1e-4).
 */
class BatchNormFoldGoldenTest {
    private static final Path CASE = RepoPaths.root().resolveSibling("shared").resolve("golden/cases/conv_bn_relu_fold");

    @Test
    void foldedConvolutionMatchesPyTorch() throws Exception {
        Graph infer = PassManager.standard().run(Inference.of(Programs.compile("GoldenFold.dnn").get(0).graph()).graph(),
                PassListener.NONE);
        assertThat(IrPrinter.print(infer)).contains("conv2d_bias_relu(");
        assertThat(IrPrinter.print(infer)).doesNotContain("batchnorm_inference(");
        Map<String, double[]> values = new HashMap<>();
        values.put("x", read("x.npy"));
        values.put("y.conv2d1.weight", read("conv_weight.npy"));
        values.put("y.conv2d1.bias", read("conv_bias.npy"));
        values.put("y.batchnorm1.weight", read("bn_gamma.npy"));
        values.put("y.batchnorm1.bias", read("bn_beta.npy"));
        values.put("y.batchnorm1.running_mean", read("bn_running_mean.npy"));
        values.put("y.batchnorm1.running_var", read("bn_running_var.npy"));
        Map<Integer, double[]> result = new Interpreter(2, values, 0).run(infer);
        compare("y", result.get(infer.outputs().get("y")), read("y.npy"));
        for (Node n : infer.nodes()) {
            if (n.op() instanceof BatchNormFoldWeight) {
                compare("folded_weight", result.get(n.id()), read("folded_weight.npy"));
            } else if (n.op() instanceof BatchNormFoldBias) {
                compare("folded_bias", result.get(n.id()), read("folded_bias.npy"));
            }
        }
    }

    private static void compare(String what, double[] actual, double[] expected) {
        assertWithMessage("%s: size", what).that(actual.length).isEqualTo(expected.length);
        for (int i = 0; i < actual.length; i++) {
            assertWithMessage("%s[%s]", what, i).that(actual[i]).isWithin(1e-5 + 1e-4 * Math.abs(expected[i])).of(expected[i]);
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
