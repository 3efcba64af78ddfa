package org.dnnc.runtime.cpu;

import static com.google.common.truth.Truth.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import org.junit.jupiter.api.Test;

/**
 * {@link Dense}'s passes in oneDNN ({@link OneDnnDense}) against sums in double: every activation
 * with and without a bias, both gradients with and without accumulation, on a square shape at the
 * size threshold and an odd one; and which calls go to oneDNN and which stay with OpenBLAS.
 */
class OneDnnDenseTest {

    /** {batch, in, out}: 64×512×512 is exactly {@link Dense#ONEDNN_MIN_MACS}; the other has odd strides. */
    private static final int[][] SHAPES = {{64, 512, 512}, {3, 4099, 1367}};

    private final Rng rng = new Rng(53);

    private static int team() {
        return OneDnn.team(System.getenv("OMP_NUM_THREADS"), Runtime.getRuntime().availableProcessors());
    }

    @Test
    void theShapesAreLargeEnoughForOneDnn() {
        for (int[] s : SHAPES) {
            assertThat((long) s[0] * s[1] * s[2]).isAtLeast(Dense.ONEDNN_MIN_MACS);
        }
    }

    @Test
    void forwardMatchesSumsInDoubleForEveryActivation() {
        assumeTrue(OneDnn.failure() == null, () -> "oneDNN did not load on this platform: " + OneDnn.failure());
        for (int[] s : SHAPES) {
            int batch = s[0];
            int in = s[1];
            int out = s[2];
            Buf x = random(batch * in);
            Buf w = random(out * in);
            Buf b = random(out);
            for (boolean withBias : new boolean[] {false, true}) {
                double[] z = product(x.toArray(), false, w.toArray(), true, batch, in, out);
                for (Activation act : Activation.values()) {
                    float param = act == Activation.LEAKY_RELU ? 0.1f : act == Activation.ELU ? 0.7f : 0f;
                    Buf y = Buf.allocate(batch * out);
                    boolean ran = InContext.call(team(), () -> OneDnnDense.forward(x, w, withBias ? b : null, y,
                            batch, in, out, act, param));
                    assertThat(ran).isTrue();
                    float[] expected = new float[batch * out];
                    for (int i = 0; i < expected.length; i++) {
                        double bias = withBias ? b.get(i % out) : 0;
                        expected[i] = Activations.apply(act, param, (float) (z[i] + bias));
                    }
                    // Sums of `in` products of unit Gaussians, in oneDNN's order.
                    Close.check(batch + "x" + in + "x" + out + " " + act + (withBias ? " with bias" : ""),
                            y.toArray(), expected, 1e-4, 1e-5 * Math.sqrt(in));
                }
            }
        }
    }

    @Test
    void gradientsMatchSumsInDoubleAndAccumulate() {
        assumeTrue(OneDnn.failure() == null, () -> "oneDNN did not load on this platform: " + OneDnn.failure());
        for (int[] s : SHAPES) {
            int batch = s[0];
            int in = s[1];
            int out = s[2];
            Buf x = random(batch * in);
            Buf w = random(out * in);
            Buf dz = random(batch * out);
            double[] dx = product(dz.toArray(), false, w.toArray(), false, batch, out, in);
            double[] dw = product(dz.toArray(), true, x.toArray(), false, out, batch, in);
            for (boolean accumulate : new boolean[] {false, true}) {
                Buf dxBuf = random(batch * in);
                Buf dwBuf = random(out * in);
                float[] dxBefore = dxBuf.toArray();
                float[] dwBefore = dwBuf.toArray();
                boolean ran = InContext.call(team(),
                        () -> OneDnnDense.inputGradient(dz, w, dxBuf, batch, in, out, accumulate)
                                & OneDnnDense.weightGradient(dz, x, dwBuf, batch, in, out, accumulate));
                assertThat(ran).isTrue();
                String what = batch + "x" + in + "x" + out + (accumulate ? " accumulating" : "");
                Close.check(what + " dx", dxBuf.toArray(), plus(dx, accumulate ? dxBefore : null), 1e-4,
                        1e-5 * Math.sqrt(out));
                Close.check(what + " dW", dwBuf.toArray(), plus(dw, accumulate ? dwBefore : null), 1e-4,
                        1e-5 * Math.sqrt(batch));
            }
        }
    }

    @Test
    void smallCallsAndOtherContextsAreLeftToOpenBlas() {
        Buf x = random(64 * 256);
        Buf w = random(128 * 256);
        Buf y = Buf.allocate(64 * 128);
        // 64×256×128 multiply-adds: the Fashion MLP's second layer.
        assertThat(InContext.call(team(), () -> OneDnnDense.forward(x, w, null, y, 64, 256, 128,
                Activation.RELU, 0f))).isFalse();
        int[] s = SHAPES[0];
        Buf big = random(s[0] * s[1]);
        Buf bigW = random(s[2] * s[1]);
        Buf bigY = Buf.allocate(s[0] * s[2]);
        int other = team() == 1 ? 2 : 1;
        assertThat(InContext.call(other, () -> OneDnnDense.forward(big, bigW, null, bigY, s[0], s[1], s[2],
                Activation.IDENTITY, 0f))).isFalse();
        assertThat(OneDnnDense.forward(big, bigW, null, bigY, s[0], s[1], s[2], Activation.IDENTITY, 0f)).isFalse();
        assertThat(bigY.toArray()).isEqualTo(new float[s[0] * s[2]]);
    }

    @Test
    void denseTakesOneDnnAboveTheThresholdAndMatchesOpenBlas() {
        assumeTrue(OneDnn.failure() == null, () -> "oneDNN did not load on this platform: " + OneDnn.failure());
        int[] s = SHAPES[0];
        Buf x = random(s[0] * s[1]);
        Buf w = random(s[2] * s[1]);
        Buf b = random(s[2]);
        Buf viaOneDnn = Buf.allocate(s[0] * s[2]);
        Buf viaBlas = Buf.allocate(s[0] * s[2]);
        InContext.run(team(), () -> Dense.forward(x, w, b, viaOneDnn, s[0], s[1], s[2], Activation.TANH, 0f));
        InContext.run(team() == 1 ? 2 : 1,
                () -> Dense.forward(x, w, b, viaBlas, s[0], s[1], s[2], Activation.TANH, 0f));
        Close.check("Dense.forward", viaOneDnn.toArray(), viaBlas.toArray(), 1e-4, 1e-5 * Math.sqrt(s[1]));
        try (CpuContext context = CpuContext.create(team()); CpuContext.Scope scope = context.enter()) {
            Dense.forward(x, w, b, viaOneDnn, s[0], s[1], s[2], Activation.TANH, 0f);
            Dense.forward(x, w, b, viaOneDnn, s[0], s[1], s[2], Activation.TANH, 0f);
            assertThat(context.oneDnn().denseCalls()).isEqualTo(1);
        }
    }

    @Test
    void aSmallCallStaysWithOpenBlasWhateverRanBefore() {
        assumeTrue(OneDnn.failure() == null, () -> "oneDNN did not load on this platform: " + OneDnn.failure());
        int[] s = SHAPES[0];
        Buf x = random(s[0] * s[1]);
        Buf w = random(s[2] * s[1]);
        Buf y = Buf.allocate(s[0] * s[2]);
        Buf small = Buf.allocate(s[0] * 10);
        Buf smallW = random(10 * s[2]);
        try (CpuContext context = CpuContext.create(team()); CpuContext.Scope scope = context.enter()) {
            // Right after a oneDNN call, so that its step computes the same after a prediction or a resume.
            Dense.forward(x, w, null, y, s[0], s[1], s[2], Activation.RELU, 0f);
            Dense.forward(y, smallW, null, small, s[0], s[2], 10, Activation.IDENTITY, 0f);
            assertThat(context.oneDnn().denseCalls()).isEqualTo(1);
        }
    }

    /** {@code a b} in double, each operand row-major and read transposed where asked: [m, k] times [k, n]. */
    private static double[] product(float[] a, boolean aT, float[] b, boolean bT, int m, int k, int n) {
        double[] c = new double[m * n];
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                double sum = 0;
                for (int p = 0; p < k; p++) {
                    sum += (double) (aT ? a[p * m + i] : a[i * k + p]) * (bT ? b[j * k + p] : b[p * n + j]);
                }
                c[i * n + j] = sum;
            }
        }
        return c;
    }

    private static float[] plus(double[] sums, float[] before) {
        float[] r = new float[sums.length];
        for (int i = 0; i < r.length; i++) {
            r[i] = (float) (sums[i] + (before == null ? 0 : before[i]));
        }
        return r;
    }

    private Buf random(int n) {
        Buf b = Buf.allocate(n);
        for (int i = 0; i < n; i++) {
            b.set(i, (float) rng.nextGaussian());
        }
        return b;
    }
}
