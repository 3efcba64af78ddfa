package org.dnnc.runtime.cpu;

import static com.google.common.truth.Truth.assertThat;

import java.nio.IntBuffer;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A recurrent layer in a {@link CpuContext} of two threads, which splits the batch (and the weight
 * gradients' gate rows) over them, gives bit for bit what one thread gives: every output and
 * gradient, with lengths (one of them zero), initial states, an odd batch and accumulated gradients,
 * for every cell and direction, with a sequence or the last state as the output (the shapes of
 * {@link RecurrentGradientCheckTest}).
 */
class RecurrentThreadsTest {
    static final int N = 5;
    static final int STEPS = 6;
    static final int INPUT = 7;
    static final int HIDDEN = 9;

    @ParameterizedTest(name = "{0} reverse={1} sequences={2}")
    @MethodSource("org.dnnc.runtime.cpu.RecurrentGradientCheckTest#shapes")
    void twoThreadsGiveWhatOneGives(RecurrentCell cell, boolean reverse, boolean sequences) {
        RecurrentGeometry g = new RecurrentGeometry(cell, STEPS, INPUT, HIDDEN, reverse, sequences);
        float[][] one;
        float[][] two;
        try (CpuContext serial = CpuContext.create(1); CpuContext split = CpuContext.create(2)) {
            one = run(serial, 1, g);
            two = run(split, 2, g);
        }
        String[] names = {"y", "h_last", "c_last", "dx", "dW_ih", "dW_hh", "db_ih", "db_hh", "dh0", "dc0"};
        for (int i = 0; i < names.length; i++) {
            assertThat(one[i].length).isEqualTo(two[i].length);
            int at = Arrays.mismatch(two[i], one[i]);
            if (at >= 0) {
                throw new AssertionError(names[i] + "[" + at + "] is " + two[i][at] + " on two threads, "
                        + one[i][at] + " on one");
            }
        }
        // The outputs are not all zero, so the comparison compares something.
        assertThat(Blas.sasum(Buf.of(one[0]), one[0].length)).isGreaterThan(0f);
        assertThat(Blas.sasum(Buf.of(one[4]), one[4].length)).isGreaterThan(0f);
    }

    /** A forward and two accumulated backward passes in {@code context}, every result as an array. */
    private static float[][] run(CpuContext context, int threads, RecurrentGeometry g) {
        CpuContext.Scope scope = context.enter();
        try {
            assertThat(Workers.threads()).isEqualTo(threads);
            Random rng = new Random(5);
            int rows = g.gateRows();
            IntBuffer lengths = IntBuffer.wrap(new int[] {STEPS, 2, 0, 5, 1});
            Buf x = random(rng, N * STEPS * INPUT, 1f);
            Buf wIh = random(rng, rows * INPUT, 0.5f);
            Buf wHh = random(rng, rows * HIDDEN, 0.5f);
            Buf bIh = random(rng, rows, 0.3f);
            Buf bHh = random(rng, rows, 0.3f);
            Buf h0 = random(rng, N * HIDDEN, 0.5f);
            Buf c0 = random(rng, N * HIDDEN, 0.5f);
            int outputs = g.sequences() ? N * STEPS * HIDDEN : N * HIDDEN;
            Buf y = Buf.allocate(outputs);
            Buf dy = random(rng, outputs, 1f);
            Buf dhLast = g.sequences() ? random(rng, N * HIDDEN, 1f) : null;
            Buf workspace = Buf.allocate(Math.toIntExact(Recurrent.workspaceFloats(g, N)));
            Buf hLast = Buf.allocate(N * HIDDEN);
            Buf cLast = Buf.allocate(N * HIDDEN);
            Buf dx = Buf.allocate(x.size());
            Buf dwIh = Buf.allocate(wIh.size());
            Buf dwHh = Buf.allocate(wHh.size());
            Buf dbIh = Buf.allocate(bIh.size());
            Buf dbHh = Buf.allocate(bHh.size());
            Buf dh0 = Buf.allocate(h0.size());
            Buf dc0 = Buf.allocate(c0.size());
            for (int pass = 0; pass < 2; pass++) {
                Recurrent.forward(g, x, lengths, h0, c0, wIh, wHh, bIh, bHh, y, workspace, N);
                Recurrent.lastState(g, workspace, N, hLast, cLast);
                Recurrent.backward(g, x, lengths, wIh, wHh, dy, dhLast, workspace, dx, dwIh, dwHh, dbIh, dbHh, dh0,
                        dc0, N, pass > 0);
            }
            return new float[][] {y.toArray(), hLast.toArray(), cLast.toArray(), dx.toArray(), dwIh.toArray(),
                dwHh.toArray(), dbIh.toArray(), dbHh.toArray(), dh0.toArray(), dc0.toArray()};
        } finally {
            scope.close();
        }
    }

    /** {@code n} Gaussian floats of standard deviation {@code scale}. */
    static Buf random(Random rng, int n, float scale) {
        Buf b = Buf.allocate(n);
        for (int i = 0; i < n; i++) {
            b.set(i, scale * (float) rng.nextGaussian());
        }
        return b;
    }
}
