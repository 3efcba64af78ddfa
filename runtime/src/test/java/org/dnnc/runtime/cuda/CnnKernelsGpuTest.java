package org.dnnc.runtime.cuda;

import org.dnnc.runtime.cpu.BatchNorm;
import org.dnnc.runtime.cpu.Buf;
import org.dnnc.runtime.cpu.ConvGeometry;
import org.dnnc.runtime.cpu.GlobalAvgPool;
import org.dnnc.runtime.cpu.Im2col;
import org.dnnc.runtime.cpu.Pool2d;
import org.dnnc.runtime.cpu.PoolGeometry;
import org.junit.jupiter.api.Test;

/** Batch norm, pooling and im2col/col2im against their CPU twins. */
class CnnKernelsGpuTest extends GpuTestSupport {

    private static final int BATCH = 3;
    private static final int CHANNELS = 4;
    private static final int SPATIAL = 25;

    @Test
    void batchNormTrainingForwardAndBackwardMatchTheCpu() {
        for (boolean relu : new boolean[] {false, true}) {
            int n = BATCH * CHANNELS * SPATIAL;
            Buf x = Buf.of(uniform(n, 3));
            Buf gamma = Buf.of(uniform(CHANNELS, 1));
            Buf beta = Buf.of(uniform(CHANNELS, 1));
            Buf runningMean = Buf.of(uniform(CHANNELS, 1));
            Buf runningVar = Buf.of(new float[] {1f, 0.5f, 2f, 1.5f});
            Buf residual = Buf.of(uniform(n, 1));
            DevBuf dRunningMean = device(runningMean);
            DevBuf dRunningVar = device(runningVar);
            Buf y = Buf.allocate(n);
            Buf saved = Buf.allocate(2 * CHANNELS);
            Buf saveMean = saved.slice(0, CHANNELS);
            Buf saveInvStd = saved.slice(CHANNELS, CHANNELS);
            DevBuf dy = device(n);
            DevBuf dSaveMean = device(CHANNELS);
            DevBuf dSaveInvStd = device(CHANNELS);
            DevBuf scratch = device(CudaBatchNorm.scratchSize(CHANNELS));
            BatchNorm.forwardTraining(x, gamma, beta, runningMean, runningVar, y, saved, residual, BATCH,
                    CHANNELS, SPATIAL, 0.1f, 1e-5f, relu);
            CudaBatchNorm.forwardTraining(ctx, device(x), device(gamma), device(beta), dRunningMean, dRunningVar, dy,
                    dSaveMean, dSaveInvStd, device(residual), BATCH, CHANNELS, SPATIAL, 0.1f, 1e-5f, relu, scratch);
            assertClose("y relu=" + relu, y, dy);
            assertClose("saveMean", saveMean, dSaveMean);
            assertClose("saveInvStd", saveInvStd, dSaveInvStd);
            assertClose("runningMean", runningMean, dRunningMean);
            assertClose("runningVar", runningVar, dRunningVar);

            Buf g = Buf.of(uniform(n, 1));
            Buf dx = Buf.of(uniform(n, 1));
            Buf dgamma = Buf.of(uniform(CHANNELS, 1));
            Buf dbeta = Buf.of(uniform(CHANNELS, 1));
            DevBuf ddx = device(dx);
            DevBuf ddgamma = device(dgamma);
            DevBuf ddbeta = device(dbeta);
            BatchNorm.backward(x, y, g, gamma, saved, dx, dgamma, dbeta, BATCH, CHANNELS, SPATIAL, 1e-5f,
                    relu, relu, true);
            CudaBatchNorm.backward(ctx, device(x), device(y), device(g), device(gamma), device(saveMean),
                    device(saveInvStd), ddx, ddgamma, ddbeta, BATCH, CHANNELS, SPATIAL, 1e-5f, relu, relu, true, scratch);
            assertClose("dx relu=" + relu, dx.toArray(), host(ddx), 1e-5f, 1e-4f);
            assertClose("dgamma", dgamma.toArray(), host(ddgamma), 1e-5f, 1e-4f);
            assertClose("dbeta", dbeta.toArray(), host(ddbeta), 1e-5f, 1e-4f);
        }
    }

    @Test
    void batchNormBackwardRecomputesTheStatisticsWhenNoneWereSaved() {
        int n = BATCH * CHANNELS * SPATIAL;
        Buf x = Buf.of(uniform(n, 3));
        Buf gamma = Buf.of(uniform(CHANNELS, 1));
        Buf y = Buf.of(uniform(n, 1));
        Buf g = Buf.of(uniform(n, 1));
        Buf dx = Buf.allocate(n);
        Buf dgamma = Buf.allocate(CHANNELS);
        Buf dbeta = Buf.allocate(CHANNELS);
        DevBuf ddx = device(n);
        DevBuf ddgamma = device(CHANNELS);
        DevBuf ddbeta = device(CHANNELS);
        BatchNorm.backward(x, y, g, gamma, null, dx, dgamma, dbeta, BATCH, CHANNELS, SPATIAL, 1e-5f, true, false,
                false);
        CudaBatchNorm.backward(ctx, device(x), device(y), device(g), device(gamma), null, null, ddx, ddgamma, ddbeta,
                BATCH, CHANNELS, SPATIAL, 1e-5f, true, false, false, device(CudaBatchNorm.scratchSize(CHANNELS)));
        assertClose("recomputed dx", dx.toArray(), host(ddx), 1e-5f, 1e-4f);
        assertClose("recomputed dgamma", dgamma.toArray(), host(ddgamma), 1e-5f, 1e-4f);
        assertClose("recomputed dbeta", dbeta.toArray(), host(ddbeta), 1e-5f, 1e-4f);
    }

    @Test
    void batchNormInferencePassesMatchTheCpu() {
        int n = BATCH * CHANNELS * SPATIAL;
        Buf x = Buf.of(uniform(n, 3));
        Buf gamma = Buf.of(uniform(CHANNELS, 1));
        Buf beta = Buf.of(uniform(CHANNELS, 1));
        Buf runningMean = Buf.of(uniform(CHANNELS, 1));
        Buf runningVar = Buf.of(new float[] {1f, 0.5f, 2f, 1.5f});
        DevBuf scratch = device(CudaBatchNorm.scratchSize(CHANNELS));
        Buf y = Buf.allocate(n);
        DevBuf dy = device(n);
        BatchNorm.forwardInference(x, gamma, beta, runningMean, runningVar, y, BATCH, CHANNELS, SPATIAL, 1e-5f, true);
        CudaBatchNorm.forwardInference(ctx, device(x), device(gamma), device(beta), device(runningMean),
                device(runningVar), dy, BATCH, CHANNELS, SPATIAL, 1e-5f, true, scratch);
        assertClose("inference y", y, dy);

        Buf g = Buf.of(uniform(n, 1));
        Buf dx = Buf.allocate(n);
        DevBuf ddx = device(n);
        BatchNorm.backwardInputInference(g, gamma, runningVar, dx, BATCH, CHANNELS, SPATIAL, 1e-5f);
        CudaBatchNorm.backwardInputInference(ctx, device(g), device(gamma), device(runningVar), ddx, BATCH, CHANNELS,
                SPATIAL, 1e-5f, scratch);
        assertClose("backwardInputInference", dx, ddx);

        Buf dgamma = Buf.allocate(CHANNELS);
        Buf dbeta = Buf.allocate(CHANNELS);
        DevBuf ddgamma = device(CHANNELS);
        DevBuf ddbeta = device(CHANNELS);
        BatchNorm.backwardInference(x, y, g, gamma, runningMean, runningVar, dx, dgamma, dbeta, BATCH, CHANNELS, SPATIAL,
                1e-5f, true, false, false);
        CudaBatchNorm.backwardInference(ctx, device(x), device(y), device(g), device(gamma), device(runningMean),
                device(runningVar), ddx, ddgamma, ddbeta, BATCH, CHANNELS, SPATIAL, 1e-5f, true, false, false, scratch);
        assertClose("backwardInference dx", dx.toArray(), host(ddx), 1e-5f, 1e-4f);
        assertClose("backwardInference dgamma", dgamma.toArray(), host(ddgamma), 1e-5f, 1e-4f);
        assertClose("backwardInference dbeta", dbeta.toArray(), host(ddbeta), 1e-5f, 1e-4f);
    }

    @Test
    void poolingMatchesTheCpu() {
        // 2x2 stride 2 (the CPU's fast path), and 3x3 stride 2 padding 1 with overlapping windows.
        for (PoolGeometry g : new PoolGeometry[] {PoolGeometry.of(CHANNELS, 6, 6, 2, 2),
                new PoolGeometry(CHANNELS, 7, 5, 3, 3, 2, 2, 1, 1)}) {
            Buf x = Buf.of(uniform(BATCH * g.inputSize(), 2));
            Buf y = Buf.allocate(BATCH * g.outputSize());
            DevBuf dx0 = device(x);
            DevBuf dy = device(y.size());
            Pool2d.maxForward(g, x, y, BATCH);
            CudaPool.maxForward(ctx, g, dx0, dy, BATCH);
            assertClose("max forward " + g, y, dy);
            Buf grad = Buf.of(uniform(y.size(), 1));
            Buf dx = Buf.of(uniform(x.size(), 1));
            DevBuf ddx = device(dx);
            Pool2d.maxBackward(g, x, grad, dx, BATCH, true);
            CudaPool.maxBackward(ctx, g, dx0, device(grad), ddx, BATCH, true);
            assertClose("max backward " + g, dx, ddx);
            for (boolean includePad : new boolean[] {false, true}) {
                Pool2d.avgForward(g, x, y, BATCH, includePad);
                CudaPool.avgForward(ctx, g, dx0, dy, BATCH, includePad);
                assertClose("avg forward " + g, y, dy);
                Pool2d.avgBackward(g, grad, dx, BATCH, includePad, false);
                CudaPool.avgBackward(ctx, g, device(grad), ddx, BATCH, includePad, false);
                assertClose("avg backward " + g, dx, ddx);
            }
        }
        Buf x = Buf.of(uniform(BATCH * CHANNELS * SPATIAL, 2));
        Buf y = Buf.allocate(BATCH * CHANNELS);
        DevBuf dy = device(y.size());
        GlobalAvgPool.forward(x, y, BATCH, CHANNELS, SPATIAL);
        CudaPool.globalAvgForward(ctx, device(x), dy, BATCH, CHANNELS, SPATIAL);
        assertClose("global avg forward", y, dy);
        Buf dx = Buf.of(uniform(x.size(), 1));
        DevBuf ddx = device(dx);
        GlobalAvgPool.backward(y, dx, BATCH, CHANNELS, SPATIAL, true);
        CudaPool.globalAvgBackward(ctx, device(y), ddx, BATCH, CHANNELS, SPATIAL, true);
        assertClose("global avg backward", dx, ddx);
    }

    @Test
    void im2colAndCol2imMatchTheCpu() {
        // Asymmetric padding and strides, so that every index of the geometry matters.
        ConvGeometry g = new ConvGeometry(3, 7, 6, 5, 3, 2, 2, 1, 1, 0, 2, 1);
        int spatial = g.outHeight() * g.outWidth();
        Buf x = Buf.of(uniform(BATCH * g.inputSize(), 1));
        DevBuf dxv = device(x);
        // One example at an offset, into a batch-wide column matrix (ldCol = BATCH * spatial).
        int ld = BATCH * spatial;
        Buf col = Buf.allocate(g.patchSize() * ld);
        DevBuf dcol = device(col.size());
        for (int n = 0; n < BATCH; n++) {
            Im2col.im2col(g, x, n * g.inputSize(), col, n * spatial, ld);
        }
        CudaIm2col.im2colBatch(ctx, g, dxv, dcol, BATCH);
        assertClose("im2col batch", col, dcol);
        CudaElementwise.fill(ctx, dcol, col.size(), Float.NaN);
        for (int n = 0; n < BATCH; n++) {
            CudaIm2col.im2col(ctx, g, dxv, n * g.inputSize(), dcol, n * spatial, ld);
        }
        assertClose("im2col per example", col, dcol);

        Buf cols = Buf.of(uniform(col.size(), 1));
        Buf dx = Buf.of(uniform(x.size(), 1));
        DevBuf ddx = device(dx);
        for (int n = 0; n < BATCH; n++) {
            Im2col.col2im(g, cols, n * spatial, ld, dx, n * g.inputSize(), true);
        }
        CudaIm2col.col2imBatch(ctx, g, device(cols), ddx, BATCH, true);
        assertClose("col2im batch (accumulated)", dx, ddx);
        for (int n = 0; n < BATCH; n++) {
            Im2col.col2im(g, cols, n * spatial, ld, dx, n * g.inputSize(), false);
            CudaIm2col.col2im(ctx, g, device(cols), n * spatial, ld, ddx, n * g.inputSize(), false);
        }
        assertClose("col2im per example", dx, ddx);
    }
}
