package org.dnnc.runtime.cuda;

import org.dnnc.runtime.cpu.Activation;
import org.dnnc.runtime.cpu.BatchNorm;
import org.dnnc.runtime.cpu.Blas;
import org.dnnc.runtime.cpu.Buf;
import org.dnnc.runtime.cpu.Conv2d;
import org.dnnc.runtime.cpu.ConvAlgorithm;
import org.dnnc.runtime.cpu.ConvGeometry;
import org.junit.jupiter.api.Test;

/**
 * {@link CudaConv2d}, the strided-batched GEMM under it and the batch-norm folds against their CPU
 * twins. The geometries cover each path of {@link CudaConv2d}: cuDNN where it loads (symmetric
 * padding), im2col in groups (asymmetric padding, which cuDNN cannot express, with a scratch of
 * two examples for a batch of three, so the last group is short), and the pointwise GEMM.
 */
class ConvolutionGpuTest extends GpuTestSupport {

    private static final int BATCH = 3;

    @Test
    void stridedBatchedGemmMatchesOneCpuGemmPerMatrix() {
        int m = 4;
        int n = 5;
        int k = 3;
        int count = 3;
        // A shared (stride 0) and transposed; B's matrices side by side in wider rows, as a group's columns.
        Buf a = Buf.of(uniform(k * m, 1));
        Buf b = Buf.of(uniform(k * n * count, 1));
        Buf c = Buf.of(uniform(m * n * count, 1));
        DevBuf dc = device(c);
        for (int i = 0; i < count; i++) {
            Blas.sgemm(true, false, m, n, k, 1.5f, a, 0, m, b, i * n, n * count, 0.5f, c, i * m * n, n);
        }
        Gemm.sgemmStridedBatched(ctx, true, false, m, n, k, 1.5f, device(a), 0, m, 0, device(b), 0, n * count, n, 0.5f,
                dc, 0, n, (long) m * n, count);
        assertClose("strided batched", c.toArray(), host(dc), 1e-5f, 1e-5f);
    }

    @Test
    void everyPathOfTheConvolutionMatchesTheCpu() {
        ConvGeometry symmetric = ConvGeometry.symmetric(3, 9, 8, 4, 3, 1, 1);
        ConvGeometry asymmetric = new ConvGeometry(3, 7, 6, 5, 3, 2, 2, 1, 0, 0, 1, 1);
        ConvGeometry pointwise = ConvGeometry.symmetric(6, 5, 5, 4, 1, 1, 0);
        for (ConvGeometry g : new ConvGeometry[] {symmetric, asymmetric, pointwise}) {
            Buf x = Buf.of(uniform(BATCH * g.inputSize(), 1));
            Buf w = Buf.of(uniform(g.weightSize(), 1));
            Buf bias = Buf.of(uniform(g.filters(), 1));
            Buf y = Buf.allocate(BATCH * g.outputSize());
            Buf scratch = Buf.allocate(Math.max(1, Conv2d.scratchFloats(g)));
            ConvAlgorithm cpu = g.isPointwise() ? ConvAlgorithm.POINTWISE : ConvAlgorithm.IM2COL;
            Conv2d.forward(cpu, g, x, w, bias, y, scratch, BATCH, Activation.RELU, 0f);
            Buf dz = Buf.of(uniform(y.size(), 1));
            Buf dx = Buf.of(uniform(x.size(), 1));
            Buf dw = Buf.of(uniform(w.size(), 1));
            DevBuf ddx = device(dx);
            DevBuf ddw = device(dw);
            Conv2d.backwardInput(cpu, g, dz, w, dx, scratch, BATCH, true);
            Conv2d.backwardWeights(cpu, g, dz, x, dw, scratch, BATCH, true);

            // Two examples' columns (and dz for the kernel gradient): groups of 2 and 1 without cuDNN.
            DevBuf columns = g.isPointwise() ? null : device(2 * g.patchSize() * g.outHeight() * g.outWidth());
            DevBuf dy = device(y.size());
            DevBuf dxv = device(x);
            DevBuf dwv = device(w);
            DevBuf ddz = device(dz);
            CudaConv2d.forward(ctx, g, dxv, dwv, device(bias), dy, columns, BATCH, Activation.RELU, 0f);
            CudaConv2d.backwardInput(ctx, g, ddz, dwv, ddx, columns, BATCH, true);
            CudaConv2d.backwardWeights(ctx, g, ddz, dxv, ddw, device(2 * (int) CudaConv2d.weightGradientFloats(g)), BATCH,
                    true);
            assertClose("forward " + g, y.toArray(), host(dy), 1e-5f, 1e-4f);
            assertClose("dx " + g, dx.toArray(), host(ddx), 1e-5f, 1e-4f);
            assertClose("dw " + g, dw.toArray(), host(ddw), 1e-5f, 1e-4f);
        }
    }

    @Test
    void batchNormFoldsMatchTheCpu() {
        int channels = 4;
        int perChannel = 18;
        Buf w = Buf.of(uniform(channels * perChannel, 1));
        Buf bias = Buf.of(uniform(channels, 1));
        Buf gamma = Buf.of(uniform(channels, 1));
        Buf beta = Buf.of(uniform(channels, 1));
        Buf mean = Buf.of(uniform(channels, 1));
        Buf var = Buf.of(new float[] {1f, 0.5f, 2f, 1.5f});
        Buf out = Buf.allocate(w.size());
        DevBuf dout = device(w.size());
        BatchNorm.foldWeight(w, gamma, var, out, channels, perChannel, 1e-5f);
        CudaBatchNorm.foldWeight(ctx, device(w), device(gamma), device(var), dout, channels, perChannel, 1e-5f);
        assertClose("foldWeight", out, dout);
        for (Buf b : new Buf[] {bias, null}) {
            Buf folded = Buf.allocate(channels);
            DevBuf dfolded = device(channels);
            BatchNorm.foldBias(b, gamma, beta, mean, var, folded, channels, 1e-5f);
            CudaBatchNorm.foldBias(ctx, b == null ? null : device(b), device(gamma), device(beta), device(mean),
                    device(var), dfolded, channels, 1e-5f);
            assertClose("foldBias with bias " + (b != null), folded, dfolded);
        }
    }
}
