package org.dnnc.runtime.cuda;

import org.dnnc.runtime.cpu.Buf;
import org.dnnc.runtime.cpu.LayerNorm;
import org.junit.jupiter.api.Test;

/** {@link CudaLayerNorm} against its CPU twin {@link LayerNorm}: rows wider and narrower than a warp. */
class LayerNormGpuTest extends GpuTestSupport {

    private static final float EPS = 1e-5f;

    @Test
    void forwardAndBackwardMatchTheCpu() {
        for (int[] shape : new int[][] {{19, 5}, {37, 100}, {9, 300}}) {
            int rows = shape[0];
            int cols = shape[1];
            String what = rows + "x" + cols;
            Buf x = Buf.of(uniform(rows * cols, 3));
            Buf gamma = Buf.of(uniform(cols, 1));
            Buf beta = Buf.of(uniform(cols, 1));
            Buf y = Buf.allocate(rows * cols);
            Buf mean = Buf.allocate(rows);
            Buf invStd = Buf.allocate(rows);
            LayerNorm.forward(x, gamma, beta, y, mean, invStd, rows, cols, EPS);
            DevBuf dx0 = device(x);
            DevBuf dGamma = device(gamma);
            DevBuf dy0 = device(rows * cols);
            DevBuf dMean = device(rows);
            DevBuf dInvStd = device(rows);
            CudaLayerNorm.forward(ctx, dx0, dGamma, device(beta), dy0, dMean, dInvStd, rows, cols, EPS);
            assertClose(what + " y", y, dy0);
            assertClose(what + " mean", mean, dMean);
            assertClose(what + " invStd", invStd, dInvStd);

            Buf g = Buf.of(uniform(rows * cols, 1));
            // Recomputed statistics, overwriting; then the saved ones, accumulating.
            Buf dx = Buf.allocate(rows * cols);
            Buf dg = Buf.allocate(cols);
            Buf db = Buf.allocate(cols);
            LayerNorm.backward(x, g, gamma, null, null, dx, dg, db, rows, cols, EPS, false, false);
            DevBuf ddx = device(rows * cols);
            DevBuf ddg = device(cols);
            DevBuf ddb = device(cols);
            DevBuf dg0 = device(g);
            CudaLayerNorm.backward(ctx, dx0, dg0, dGamma, null, null, ddx, ddg, ddb, rows, cols, EPS, false, false);
            assertClose(what + " dx", dx, ddx);
            assertClose(what + " dgamma", dg, ddg);
            assertClose(what + " dbeta", db, ddb);
            LayerNorm.backward(x, g, gamma, mean, invStd, dx, dg, db, rows, cols, EPS, true, true);
            CudaLayerNorm.backward(ctx, dx0, dg0, dGamma, dMean, dInvStd, ddx, ddg, ddb, rows, cols, EPS, true, true);
            assertClose(what + " accumulated dx", dx, ddx);
            assertClose(what + " accumulated dgamma", dg, ddg);
            assertClose(what + " accumulated dbeta", db, ddb);

            // dx in place of dy.
            LayerNorm.backward(x, g, gamma, null, null, g, null, null, rows, cols, EPS, false, false);
            CudaLayerNorm.backward(ctx, dx0, dg0, dGamma, null, null, dg0, null, null, rows, cols, EPS, false, false);
            assertClose(what + " dx over dy", g, dg0);
        }
    }
}
