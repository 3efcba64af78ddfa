package org.dnnc.runtime.cpu;

import static com.google.common.truth.Truth.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The convolution and pooling kernels against PyTorch's outputs and gradients in {@code
 * shared/golden} (forward on the case's inputs, backward from its {@code grad_output}).
 */
class GoldenConvTest {

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"conv2d_same", "conv2d_valid", "conv2d_stride2", "conv2d_1x1"})
    void conv2d(String name) {
        Golden g = Golden.load(name);
        int[] s = g.npy(g.file("inputs", "x")).shape();
        int batch = s[0];
        ConvGeometry geo = ConvGeometry.symmetric(s[1], s[2], s[3], (int) g.attr("filters"), (int) g.attr("kernel"),
                (int) g.attr("stride"), (int) g.attr("padding"));
        Buf x = g.buf("inputs", "x");
        Buf w = g.buf("params", "weight");
        Buf b = g.buf("params", "bias");
        Buf scratch = Buf.allocate(Conv2d.scratchFloats(geo));
        Buf y = Buf.allocate(batch * geo.outputSize());
        Conv2d.forward(geo, x, w, b, y, scratch, batch, Activation.IDENTITY, 0f);
        g.check("y", y, g.file("outputs", "y"));

        Buf dy = g.buf("dy.npy");
        Buf dx = Buf.allocate(batch * geo.inputSize());
        Buf dw = Buf.allocate(geo.weightSize());
        Buf db = Buf.allocate(geo.filters());
        Conv2d.backwardBias(dy, db, batch, geo.filters(), geo.outHeight() * geo.outWidth(), false);
        Conv2d.backwardWeights(geo, dy, x, dw, scratch, batch, false);
        Conv2d.backwardInput(geo, dy, w, dx, scratch, batch, false);
        g.checkGrad("x", dx);
        g.checkGrad("weight", dw);
        g.checkGrad("bias", db);
    }

    @Test
    void conv1x1NeedsNoScratch() {
        Golden g = Golden.load("conv2d_1x1");
        ConvGeometry geo = ConvGeometry.symmetric(3, 8, 8, 4, 1, 1, 0);
        assertThat(Conv2d.scratchFloats(geo)).isEqualTo(0);
        Buf y = Buf.allocate(2 * geo.outputSize());
        Conv2d.forward(geo, g.buf("inputs", "x"), g.buf("params", "weight"), g.buf("params", "bias"), y, null, 2,
                Activation.IDENTITY, 0f);
        g.check("y", y, g.file("outputs", "y"));
    }

    @Test
    void maxpool() {
        Golden g = Golden.load("maxpool2");
        int[] s = g.npy(g.file("inputs", "x")).shape();
        PoolGeometry geo = PoolGeometry.of(s[1], s[2], s[3], (int) g.attr("size"), (int) g.attr("stride"));
        Buf x = g.buf("inputs", "x");
        Buf y = Buf.allocate(s[0] * geo.outputSize());
        Pool2d.maxForward(geo, x, y, s[0]);
        g.check("y", y, g.file("outputs", "y"));
        Buf dx = Buf.allocate(s[0] * geo.inputSize());
        Pool2d.maxBackward(geo, x, g.buf("dy.npy"), dx, s[0], false);
        g.checkGrad("x", dx);
    }

    @Test
    void avgpool() {
        // F.avg_pool2d(x, 2, 2): no padding, so count_include_pad (PyTorch's default) changes nothing
        // here; both settings must match.
        Golden g = Golden.load("avgpool2");
        int[] s = g.npy(g.file("inputs", "x")).shape();
        PoolGeometry geo = PoolGeometry.of(s[1], s[2], s[3], (int) g.attr("size"), (int) g.attr("stride"));
        for (boolean includePad : new boolean[] {true, false}) {
            Buf y = Buf.allocate(s[0] * geo.outputSize());
            Pool2d.avgForward(geo, g.buf("inputs", "x"), y, s[0], includePad);
            g.check("y", y, g.file("outputs", "y"));
            Buf dx = Buf.allocate(s[0] * geo.inputSize());
            Pool2d.avgBackward(geo, g.buf("dy.npy"), dx, s[0], includePad, false);
            g.checkGrad("x", dx);
        }
    }

    @Test
    void globalAvgpool() {
        Golden g = Golden.load("global_avgpool");
        int[] s = g.npy(g.file("inputs", "x")).shape();
        Buf y = Buf.allocate(s[0] * s[1]);
        GlobalAvgPool.forward(g.buf("inputs", "x"), y, s[0], s[1], s[2] * s[3]);
        g.check("y", y, g.file("outputs", "y"));
        Buf dx = Buf.allocate(s[0] * s[1] * s[2] * s[3]);
        GlobalAvgPool.backward(g.buf("dy.npy"), dx, s[0], s[1], s[2] * s[3], false);
        g.checkGrad("x", dx);
    }

    @Test
    void convBatchnormReluAndItsFoldedForm() {
        // Inference: relu(bn(conv(x))) with running statistics, unfused and as one convolution with
        // the folded kernel and bias and a ReLU epilogue.
        Golden g = Golden.load("conv_bn_relu_fold");
        int[] s = g.npy(g.file("inputs", "x")).shape();
        int batch = s[0];
        float eps = (float) g.attr("eps");
        ConvGeometry geo = ConvGeometry.symmetric(s[1], s[2], s[3], 4, 3, 1, (int) g.attr("padding"));
        Buf x = g.buf("inputs", "x");
        Buf scratch = Buf.allocate(Conv2d.scratchFloats(geo));
        Buf y = Buf.allocate(batch * geo.outputSize());
        Conv2d.forward(geo, x, g.buf("params", "conv_weight"), g.buf("params", "conv_bias"), y, scratch, batch,
                Activation.IDENTITY, 0f);
        BatchNorm.forwardInference(y, g.buf("params", "bn_gamma"), g.buf("params", "bn_beta"),
                g.buf("params", "bn_running_mean"), g.buf("params", "bn_running_var"), y, batch, geo.filters(),
                geo.outHeight() * geo.outWidth(), eps, true);
        g.check("unfused y", y, g.file("outputs", "y"));

        Buf folded = Buf.allocate(batch * geo.outputSize());
        Conv2d.forward(geo, x, g.buf("outputs", "folded_weight"), g.buf("outputs", "folded_bias"), folded, scratch,
                batch, Activation.RELU, 0f);
        g.check("folded y", folded, g.file("outputs", "y"));
    }
}
