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
            CudaOptimizers.adam(ctx, dp, dg, dm, dv, N, scalars, null, 0.9f, 0.999f, 1e-8f, 1e-4f, 0f);
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
            CudaOptimizers.momentum(ctx, dp, dg, dvel, N, scalars, null, 0.9f, 0.1f, true, 1e-3f, 1e-3f);
        }
        assertClose("momentum p", p, dp);
        assertClose("momentum velocity", vel, dvel);

        Buf g = Buf.of(uniform(N, 1));
        DevBuf dg = device(g);
        ctx.upload(Buf.of(CudaOptimizers.sgdScalars(0.05f)), scalars.slice(0, 1));
        p = Buf.of(p0);
        dp = device(p0);
        Optimizers.sgd(p, g, N, 0.05f, 1e-3f, 0f);
        CudaOptimizers.sgd(ctx, dp, dg, N, scalars, null, 1e-3f, 0f);
        assertClose("sgd", p, dp);

        Buf s = Buf.allocate(N);
        DevBuf ds = device(N);
        CudaElementwise.fill(ctx, ds, N, 0f);
        Optimizers.adagrad(p, g, s, N, 0.05f, 1e-10f, 0f, 0f);
        CudaOptimizers.adagrad(ctx, dp, dg, ds, N, scalars, null, 1e-10f, 0f, 0f);
        assertClose("adagrad p", p, dp);
        assertClose("adagrad sum", s, ds);

        Buf ms = Buf.allocate(N);
        Buf buf = Buf.allocate(N);
        DevBuf dms = device(N);
        DevBuf dbuf = device(N);
        CudaElementwise.fill(ctx, dms, N, 0f);
        CudaElementwise.fill(ctx, dbuf, N, 0f);
        Optimizers.rmsprop(p, g, ms, N, 0.05f, 0.99f, 1e-8f, 0f, 0f);
        CudaOptimizers.rmsprop(ctx, dp, dg, dms, N, scalars, null, 0.99f, 1e-8f, 0f, 0f);
        Optimizers.rmspropMomentum(p, g, ms, buf, N, 0.05f, 0.99f, 1e-8f, 0.9f, 0f, 0f);
        CudaOptimizers.rmspropMomentum(ctx, dp, dg, dms, dbuf, N, scalars, null, 0.99f, 1e-8f, 0.9f, 0f, 0f);
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
            CudaClipping.clipNorm(ctx, dgrads, sizes, maxNorm, scratch, null);
            assertClose("norm", new float[] {(float) norm}, new float[] {host(scratch)[CudaClipping.normOffset()]}, 0f, 1e-6f);
            for (int k = 0; k < sizes.length; k++) {
                assertClose("clipped " + k + " at " + maxNorm, grads[k], dgrads[k]);
            }
            GradientClipping.clipValue(grads, sizes, 0.25f);
            CudaClipping.clipValue(ctx, dgrads, sizes, 0.25f, null);
            for (int k = 0; k < sizes.length; k++) {
                assertClose("value-clipped " + k, grads[k], dgrads[k]);
            }
        }
    }

    /** A gate's state with {@code policy} and {@code steps}, on the device. */
    private static DevBuf gateState(int policy, long steps) {
        return deviceInts(CudaOptimizers.gateState(policy, steps));
    }

    /** The step counter of a gate's state. */
    private static long steps(DevBuf state) {
        IntBuffer ints = hostInts(new int[CudaOptimizers.GATE_STATE_INTS]);
        ctx.download(state, ints);
        return (ints.get(4) & 0xFFFFFFFFL) | (long) ints.get(5) << 32;
    }

    /**
     * One gated Adam step on {@code p}: the gate reads {@code loss} and the norm of {@code g}, then
     * clips and updates; returns the read-back.
     */
    private static float[] gatedAdamStep(DevBuf p, DevBuf g, DevBuf m, DevBuf v, DevBuf state, float loss, float lr) {
        DevBuf readback = device(new float[] {loss, 0, 0, 0, 0});
        DevBuf scratch = device(CudaClipping.SCRATCH_SIZE);
        DevBuf scalars = device(2);
        DevBuf[] grads = {g};
        int[] sizes = {N};
        CudaClipping.norm(ctx, grads, sizes, 1f, scratch);
        CudaOptimizers.gate(ctx, readback, scratch.slice(CudaClipping.normOffset(), 1), device(new float[] {lr}), state,
                CudaOptimizers.StepScalars.ADAM, 0.9f, 0.999f, scalars);
        DevBuf apply = CudaOptimizers.applyFlag(state);
        CudaClipping.scale(ctx, grads, sizes, scratch, apply);
        CudaOptimizers.adam(ctx, p, g, m, v, N, scalars, apply, 0.9f, 0.999f, 1e-8f, 0f, 0f);
        return host(readback);
    }

    @Test
    void theGateComputesTheStepsScalarsOnTheDeviceAndSkipsANonFiniteStep() {
        float[] p0 = uniform(N, 1);
        Buf p = Buf.of(p0);
        Buf m = Buf.allocate(N);
        Buf v = Buf.allocate(N);
        DevBuf dp = device(p0);
        DevBuf dm = device(new float[N]);
        DevBuf dv = device(new float[N]);
        // Resumed at step 6: the bias corrections of steps 7 and 8 come from the device's counter.
        DevBuf state = gateState(CudaOptimizers.SKIP_NON_FINITE, 6);
        for (long step = 7; step <= 8; step++) {
            float[] drawn = uniform(N, 1);
            Buf g = Buf.of(drawn);
            GradientClipping.clipNorm(new Buf[] {g}, new int[] {N}, 1f);
            Optimizers.adam(p, g, m, v, N, 1e-2f, 0.9f, 0.999f, 1e-8f, 0f, 0f, step);
            float[] readback = gatedAdamStep(dp, device(drawn), dm, dv, state, 0.5f, 1e-2f);
            assertThat(readback[3]).isEqualTo(0f);
            assertThat(readback[4]).isEqualTo(0f);
        }
        assertThat(steps(state)).isEqualTo(8);
        assertClose("gated adam p", p, dp);
        assertClose("gated adam m", m, dm);
        assertClose("gated adam v", v, dv);

        // A planted NaN gradient: the weights and moments stay bit for bit, and the step does not count.
        float[] before = host(dp);
        float[] mBefore = host(dm);
        float[] g = uniform(N, 1);
        g[123] = Float.NaN;
        float[] readback = gatedAdamStep(dp, device(g), dm, dv, state, 0.5f, 1e-2f);
        assertThat(readback[3]).isEqualTo(1f);
        assertThat(readback[4]).isEqualTo(1f);
        assertThat(host(dp)).isEqualTo(before);
        assertThat(host(dm)).isEqualTo(mBefore);
        assertThat(steps(state)).isEqualTo(8);
        // The next finite step applies again under SKIP.
        gatedAdamStep(dp, device(uniform(N, 1)), dm, dv, state, 0.5f, 1e-2f);
        assertThat(steps(state)).isEqualTo(9);
    }

    @Test
    void stopLatchesSoThatNoLaterStepUpdates() {
        DevBuf dp = device(uniform(N, 1));
        DevBuf dm = device(new float[N]);
        DevBuf dv = device(new float[N]);
        DevBuf state = gateState(CudaOptimizers.STOP_AT_NON_FINITE, 0);
        gatedAdamStep(dp, device(uniform(N, 1)), dm, dv, state, 0.5f, 1e-2f);
        float[] kept = host(dp);
        // A NaN loss, then two finite steps queued behind it: none updates.
        float[] diverged = gatedAdamStep(dp, device(uniform(N, 1)), dm, dv, state, Float.NaN, 1e-2f);
        assertThat(diverged[4]).isEqualTo(1f);
        float[] later = gatedAdamStep(dp, device(uniform(N, 1)), dm, dv, state, 0.5f, 1e-2f);
        gatedAdamStep(dp, device(uniform(N, 1)), dm, dv, state, 0.5f, 1e-2f);
        assertThat(later[3]).isEqualTo(1f);
        assertThat(later[4]).isEqualTo(1f);
        assertThat(host(dp)).isEqualTo(kept);
        assertThat(steps(state)).isEqualTo(1);
        // Under ignore, the NaN step updates and counts.
        DevBuf ignore = gateState(CudaOptimizers.APPLY_ALWAYS, 0);
        float[] applied = gatedAdamStep(dp, device(uniform(N, 1)), dm, dv, ignore, Float.NaN, 1e-2f);
        assertThat(applied[4]).isEqualTo(0f);
        assertThat(steps(ignore)).isEqualTo(1);
    }
}
