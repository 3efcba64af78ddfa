package org.dnnc.runtime.cuda;

import org.dnnc.runtime.cpu.Activation;
import org.dnnc.runtime.cpu.Activations;
import org.dnnc.runtime.cpu.Buf;
import org.dnnc.runtime.cpu.Conv2d;
import org.dnnc.runtime.cpu.Dense;
import org.dnnc.runtime.cpu.Elementwise;
import org.junit.jupiter.api.Test;

/** The element-wise and activation kernels against their CPU twins. */
class ElementwiseGpuTest extends GpuTestSupport {

    private static final int N = 1000;

    @Test
    void binaryOpsAndAccumulateMatchTheCpu() {
        Buf a = Buf.of(uniform(N, 2));
        Buf b = Buf.of(uniform(N, 2));
        DevBuf da = device(a);
        DevBuf db = device(b);
        Buf y = Buf.allocate(N);
        DevBuf dy = device(N);
        Elementwise.add(a, b, y, N);
        CudaElementwise.add(ctx, da, db, dy, N);
        assertClose("add", y, dy);
        Elementwise.sub(a, b, y, N);
        CudaElementwise.sub(ctx, da, db, dy, N);
        assertClose("sub", y, dy);
        Elementwise.mul(a, b, y, N);
        CudaElementwise.mul(ctx, da, db, dy, N);
        assertClose("mul", y, dy);
        Elementwise.accumulate(y, a, N);
        CudaElementwise.accumulate(ctx, dy, da, N);
        assertClose("accumulate", y, dy);
        Elementwise.scale(y, N, 0.37f);
        CudaElementwise.scale(ctx, dy, N, 0.37f);
        assertClose("scale", y, dy);
        Elementwise.fill(y, N, 1.5f);
        CudaElementwise.fill(ctx, dy, N, 1.5f);
        assertClose("fill", y, dy);
    }

    @Test
    void mulBackwardAndChannelBiasMatchTheCpu() {
        Buf a = Buf.of(uniform(N, 2));
        Buf b = Buf.of(uniform(N, 2));
        Buf g = Buf.of(uniform(N, 1));
        Buf ga = Buf.allocate(N);
        Buf gb = Buf.allocate(N);
        DevBuf dga = device(N);
        DevBuf dgb = device(N);
        Elementwise.mulBackward(a, b, g, ga, gb, N);
        CudaElementwise.mulBackward(ctx, device(a), device(b), device(g), dga, dgb, N);
        assertClose("da", ga, dga);
        assertClose("db", gb, dgb);

        int batch = 3;
        int channels = 5;
        int spatial = 7;
        Buf x = Buf.of(uniform(batch * channels * spatial, 1));
        Buf bias = Buf.of(uniform(channels, 1));
        Buf y = Buf.allocate(x.size());
        DevBuf dy = device(x.size());
        Elementwise.addChannelBias(x, bias, y, batch, channels, spatial);
        CudaElementwise.addChannelBias(ctx, device(x), device(bias), dy, batch, channels, spatial);
        assertClose("addChannelBias", y, dy);

        Buf db = Buf.of(uniform(channels, 1));
        DevBuf ddb = device(db);
        Conv2d.backwardBias(x, db, batch, channels, spatial, true);
        CudaElementwise.channelBiasGrad(ctx, device(x), ddb, batch, channels, spatial, true);
        assertClose("Conv2d.backwardBias (accumulated)", db, ddb);
    }

    @Test
    void everyActivationForwardAndBackwardMatchesTheCpu() {
        for (Activation act : Activation.values()) {
            float param = act == Activation.LEAKY_RELU ? 0.1f : act == Activation.ELU ? 1.2f : 0f;
            Buf x = Buf.of(uniform(N, 4));
            Buf y = Buf.allocate(N);
            DevBuf dy = device(N);
            Activations.forward(act, param, x, y, N);
            CudaActivations.forward(ctx, act, param, device(x), dy, N);
            assertClose(act + " forward", y, dy);
            Buf g = Buf.of(uniform(N, 1));
            Buf dx = Buf.allocate(N);
            DevBuf ddx = device(N);
            Activations.backward(act, param, y, g, dx, N);
            CudaActivations.backward(ctx, act, param, device(y), device(g), ddx, N);
            assertClose(act + " backward", dx, ddx);
        }
    }

    @Test
    void biasEpiloguesMatchTheCpu() {
        int rows = 37;
        int cols = 70;
        for (Activation act : new Activation[] {Activation.RELU, Activation.TANH}) {
            Buf y = Buf.of(uniform(rows * cols, 2));
            Buf bias = Buf.of(uniform(cols, 1));
            DevBuf dy = device(y);
            Activations.biasForward(act, 0f, y, bias, rows, cols);
            CudaActivations.biasForward(ctx, act, 0f, dy, device(bias), rows, cols);
            assertClose(act + " biasForward", y, dy);

            Buf g = Buf.of(uniform(rows * cols, 1));
            Buf dz = Buf.allocate(rows * cols);
            Buf db = Buf.of(uniform(cols, 1));
            DevBuf ddz = device(rows * cols);
            DevBuf ddb = device(db);
            Activations.biasBackward(act, 0f, y, g, dz, db, rows, cols, true);
            CudaActivations.biasBackward(ctx, act, 0f, device(y), device(g), ddz, ddb, rows, cols, true);
            assertClose(act + " dz", dz, ddz);
            assertClose(act + " db (accumulated)", db, ddb);
        }
        Buf dz = Buf.of(uniform(rows * cols, 1));
        Buf db = Buf.allocate(cols);
        DevBuf ddb = device(cols);
        Dense.backwardBias(dz, db, rows, cols, false);
        CudaActivations.biasGrad(ctx, device(dz), ddb, rows, cols, false);
        assertClose("Dense.backwardBias", db, ddb);
    }
}
