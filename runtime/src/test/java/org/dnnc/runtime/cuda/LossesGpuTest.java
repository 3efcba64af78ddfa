package org.dnnc.runtime.cuda;

import org.dnnc.runtime.cpu.Buf;
import org.dnnc.runtime.cpu.Golden;
import org.dnnc.runtime.cpu.Losses;
import org.junit.jupiter.api.Test;

/**
 * Mean squared error and binary cross-entropy on logits ({@code losses.cu}) against their CPU twins
 * and against PyTorch's {@code mse_loss} and {@code bce_with_logits} cases of {@code ../shared/golden}.
 */
class LossesGpuTest extends GpuTestSupport {

    /** More elements than a block has threads, and not a multiple of them. */
    private static final int N = 1000;

    @Test
    void mseValueAndGradientsMatchTheCpu() {
        Buf pred = Buf.of(uniform(N, 2));
        Buf target = Buf.of(uniform(N, 2));
        Buf dpred = Buf.allocate(N);
        Buf dtarget = Buf.allocate(N);
        float loss = Losses.mse(pred, target, dpred, dtarget, N);
        DevBuf ddpred = device(N);
        DevBuf ddtarget = device(N);
        DevBuf dloss = device(1);
        CudaLosses.mse(ctx, device(pred), device(target), ddpred, ddtarget, N, null, dloss);
        assertClose("mse", new float[] {loss}, host(dloss), 1e-7f, 1e-6f);
        assertClose("mse dpred", dpred, ddpred);
        assertClose("mse dtarget", dtarget, ddtarget);
    }

    @Test
    void bceValueAndGradientsMatchTheCpu() {
        // Logits of both signs and large magnitudes, where the stable form and the sigmoid's branches matter.
        Buf logits = Buf.of(uniform(N, 30));
        float[] t = new float[N];
        for (int i = 0; i < N; i++) {
            t[i] = random.nextFloat();
        }
        Buf target = Buf.of(t);
        Buf dlogits = Buf.allocate(N);
        Buf dtarget = Buf.allocate(N);
        float loss = Losses.bceWithLogits(logits, target, dlogits, dtarget, N);
        DevBuf ddlogits = device(N);
        DevBuf ddtarget = device(N);
        DevBuf dloss = device(1);
        CudaLosses.bceWithLogits(ctx, device(logits), device(target), ddlogits, ddtarget, N, null, dloss);
        assertClose("bce", new float[] {loss}, host(dloss), 1e-7f, 1e-6f);
        assertClose("bce dlogits", dlogits, ddlogits);
        assertClose("bce dtarget", dtarget, ddtarget);
    }

    @Test
    void anUpstreamGradientScalesTheGradientAsTheCpuScalesIt() {
        Buf pred = Buf.of(uniform(N, 1));
        Buf target = Buf.of(uniform(N, 1));
        Buf dpred = Buf.allocate(N);
        Losses.mse(pred, target, dpred, null, N);
        float weight = 0.3f;
        float[] scaled = dpred.toArray();
        for (int i = 0; i < N; i++) {
            scaled[i] *= weight;
        }
        DevBuf ddpred = device(N);
        CudaLosses.mse(ctx, device(pred), device(target), ddpred, null, N, device(new float[] {weight}), null);
        assertClose("weighted mse dpred", scaled, host(ddpred), 1e-7f, 1e-6f);

        Buf dlogits = Buf.allocate(N);
        Losses.bceWithLogits(pred, target, dlogits, null, N);
        float[] bceScaled = dlogits.toArray();
        for (int i = 0; i < N; i++) {
            bceScaled[i] *= weight;
        }
        CudaLosses.bceWithLogits(ctx, device(pred), device(target), ddpred, null, N, device(new float[] {weight}), null);
        assertClose("weighted bce dlogits", bceScaled, host(ddpred), 1e-7f, 1e-6f);
    }

    @Test
    void theGoldenMseCaseMatchesPyTorch() {
        Golden g = Golden.load("mse_loss");
        float[] pred = g.floats("inputs", "pred");
        int n = pred.length;
        DevBuf dpred = device(n);
        DevBuf dtarget = device(n);
        DevBuf loss = device(1);
        CudaLosses.mse(ctx, device(pred), device(g.floats("inputs", "target")), dpred, dtarget, n, null, loss);
        float abs = (float) g.atol();
        float rel = (float) g.rtol();
        assertClose("mse_loss y", g.floats("outputs", "y"), host(loss), abs, rel);
        assertClose("mse_loss grad pred", g.floats("grads", "pred"), host(dpred), abs, rel);
        assertClose("mse_loss grad target", g.floats("grads", "target"), host(dtarget), abs, rel);
    }

    @Test
    void theGoldenBceCaseMatchesPyTorch() {
        Golden g = Golden.load("bce_with_logits");
        float[] logits = g.floats("inputs", "logits");
        int n = logits.length;
        DevBuf dlogits = device(n);
        DevBuf dtarget = device(n);
        DevBuf loss = device(1);
        CudaLosses.bceWithLogits(ctx, device(logits), device(g.floats("inputs", "target")), dlogits, dtarget, n, null,
                loss);
        float abs = (float) g.atol();
        float rel = (float) g.rtol();
        assertClose("bce_with_logits y", g.floats("outputs", "y"), host(loss), abs, rel);
        assertClose("bce_with_logits grad logits", g.floats("grads", "logits"), host(dlogits), abs, rel);
        assertClose("bce_with_logits grad target", g.floats("grads", "target"), host(dtarget), abs, rel);
    }
}
