package org.dnnc.runtime.cuda;

import static com.google.common.truth.Truth.assertThat;

import java.nio.IntBuffer;
import org.dnnc.runtime.cpu.Buf;
import org.dnnc.runtime.cpu.Dropout;
import org.dnnc.runtime.cpu.Embedding;
import org.dnnc.runtime.cpu.GradientClipping;
import org.dnnc.runtime.cpu.Optimizers;
import org.dnnc.runtime.cpu.Rng;
import org.junit.jupiter.api.Test;

/** Optimizers, dropout, embedding and gradient clipping against their CPU twins. */
class TrainingKernelsGpuTest extends GpuTestSupport {

    private static final int N = 777;

    @Test
    void everyOptimizerMatchesTheCpuOverThreeSteps() {
        float[] p0 = uniform(N, 1);
        DevBuf scalars = device(2);
        Buf p = Buf.of(p0);
        Buf m = Buf.allocate(N);
        Buf v = Buf.allocate(N);
        DevBuf dp = device(p0);
        DevBuf dm = device(N);
        DevBuf dv = device(N);
        CudaElementwise.fill(ctx, dm, N, 0f);
        CudaElementwise.fill(ctx, dv, N, 0f);
        for (long step = 1; step <= 3; step++) {
            Buf g = Buf.of(uniform(N, 1));
            DevBuf dg = device(g);
            Optimizers.adam(p, g, m, v, N, 1e-2f, 0.9f, 0.999f, 1e-8f, 1e-4f, 0f, step);
            ctx.upload(Buf.of(CudaOptimizers.adamScalars(1e-2f, 0.9f, 0.999f, step)), scalars);
            CudaOptimizers.adam(ctx, dp, dg, dm, dv, N, scalars, 0.9f, 0.999f, 1e-8f, 1e-4f, 0f);
        }
        assertClose("adam p", p, dp);
        assertClose("adam m", m, dm);
        assertClose("adam v", v, dv);

        p = Buf.of(p0);
        dp = device(p0);
        DevBuf dvel = device(N);
        Buf vel = Buf.allocate(N);
        for (long step = 1; step <= 3; step++) {
            Buf g = Buf.of(uniform(N, 1));
            DevBuf dg = device(g);
            Optimizers.momentum(p, g, vel, N, 0.1f, 0.9f, 0.1f, true, 1e-3f, 1e-3f, step);
            ctx.upload(Buf.of(CudaOptimizers.momentumScalars(0.1f, step)), scalars.slice(0, 2));
            CudaOptimizers.momentum(ctx, dp, dg, dvel, N, scalars, 0.9f, 0.1f, true, 1e-3f, 1e-3f);
        }
        assertClose("momentum p", p, dp);
        assertClose("momentum velocity", vel, dvel);

        Buf g = Buf.of(uniform(N, 1));
        DevBuf dg = device(g);
        ctx.upload(Buf.of(CudaOptimizers.sgdScalars(0.05f)), scalars.slice(0, 1));
        p = Buf.of(p0);
        dp = device(p0);
        Optimizers.sgd(p, g, N, 0.05f, 1e-3f, 0f);
        CudaOptimizers.sgd(ctx, dp, dg, N, scalars, 1e-3f, 0f);
        assertClose("sgd", p, dp);

        Buf s = Buf.allocate(N);
        DevBuf ds = device(N);
        CudaElementwise.fill(ctx, ds, N, 0f);
        Optimizers.adagrad(p, g, s, N, 0.05f, 1e-10f, 0f, 0f);
        CudaOptimizers.adagrad(ctx, dp, dg, ds, N, scalars, 1e-10f, 0f, 0f);
        assertClose("adagrad p", p, dp);
        assertClose("adagrad sum", s, ds);

        Buf ms = Buf.allocate(N);
        Buf buf = Buf.allocate(N);
        DevBuf dms = device(N);
        DevBuf dbuf = device(N);
        CudaElementwise.fill(ctx, dms, N, 0f);
        CudaElementwise.fill(ctx, dbuf, N, 0f);
        Optimizers.rmsprop(p, g, ms, N, 0.05f, 0.99f, 1e-8f, 0f, 0f);
        CudaOptimizers.rmsprop(ctx, dp, dg, dms, N, scalars, 0.99f, 1e-8f, 0f, 0f);
        Optimizers.rmspropMomentum(p, g, ms, buf, N, 0.05f, 0.99f, 1e-8f, 0.9f, 0f, 0f);
        CudaOptimizers.rmspropMomentum(ctx, dp, dg, dms, dbuf, N, scalars, 0.99f, 1e-8f, 0.9f, 0f, 0f);
        assertClose("rmsprop p", p, dp);
        assertClose("rmsprop mean square", ms, dms);
        assertClose("rmsprop momentum", buf, dbuf);
    }

    @Test
    void dropoutDrawsTheCpusMasksAndAdvancesTheState() {
        // An odd count, so that the last draw serves one element, as on the CPU.
        Rng rng = new Rng(42);
        DevBuf state = device(2);
        CudaDropout.setState(ctx, state, rng.state());
        Buf x = Buf.of(uniform(N, 1));
        Buf y = Buf.allocate(N);
        Buf mask = Buf.allocate(N);
        DevBuf dy = device(N);
        DevBuf dmask = device(N);
        for (int call = 0; call < 2; call++) {
            Dropout.forward(x, y, mask, N, 0.3f, rng);
            CudaDropout.forward(ctx, device(x), dy, dmask, N, 0.3f, state);
            assertClose("mask " + call, mask.toArray(), host(dmask), 0f, 0f);
            assertClose("y " + call, y.toArray(), host(dy), 0f, 0f);
            assertThat(CudaDropout.state(ctx, state)).isEqualTo(rng.state());
        }
        Dropout.mask(mask, N - 1, 0.5f, rng);
        CudaDropout.mask(ctx, dmask, N - 1, 0.5f, state);
        assertClose("mask only", mask.toArray(), host(dmask), 0f, 0f);
        assertThat(CudaDropout.state(ctx, state)).isEqualTo(rng.state());
    }

    @Test
    void embeddingMatchesTheCpu() {
        int vocab = 11;
        int dim = 6;
        int rows = 20;
        int[] ids = new int[rows];
        for (int r = 0; r < rows; r++) {
            ids[r] = random.nextInt(vocab);
        }
        IntBuffer hostIds = hostInts(ids);
        DevBuf dids = deviceInts(ids);
        Buf table = Buf.of(uniform(vocab * dim, 1));
        Buf out = Buf.allocate(rows * dim);
        DevBuf dout = device(rows * dim);
        Embedding.forward(hostIds, table, out, rows, vocab, dim);
        CudaEmbedding.forward(ctx, dids, device(table), dout, rows, vocab, dim);
        assertClose("lookup", out.toArray(), host(dout), 0f, 0f);
        Buf g = Buf.of(uniform(rows * dim, 1));
        Buf dTable = Buf.allocate(vocab * dim);
        DevBuf ddTable = device(vocab * dim);
        Embedding.backward(hostIds, g, dTable, rows, vocab, dim);
        CudaEmbedding.backward(ctx, dids, device(g), ddTable, rows, vocab, dim);
        assertClose("table gradient", dTable, ddTable);
    }

    @Test
    void clippingMatchesTheCpu() {
        int[] sizes = {300, 5000, 7};
        for (float maxNorm : new float[] {1f, 1000f}) {
            Buf[] grads = new Buf[sizes.length];
            DevBuf[] dgrads = new DevBuf[sizes.length];
            for (int k = 0; k < sizes.length; k++) {
                grads[k] = Buf.of(uniform(sizes[k], 1));
                dgrads[k] = device(grads[k]);
            }
            DevBuf scratch = device(CudaClipping.SCRATCH_SIZE);
            double norm = GradientClipping.clipNorm(grads, sizes, maxNorm);
            CudaClipping.clipNorm(ctx, dgrads, sizes, maxNorm, scratch);
            assertClose("norm", new float[] {(float) norm}, new float[] {host(scratch)[CudaClipping.normOffset()]}, 0f, 1e-6f);
            for (int k = 0; k < sizes.length; k++) {
                assertClose("clipped " + k + " at " + maxNorm, grads[k], dgrads[k]);
            }
            GradientClipping.clipValue(grads, sizes, 0.25f);
            CudaClipping.clipValue(ctx, dgrads, sizes, 0.25f);
            for (int k = 0; k < sizes.length; k++) {
                assertClose("value-clipped " + k, grads[k], dgrads[k]);
            }
        }
    }
}
