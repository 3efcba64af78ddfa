package org.dnnc.runtime.cpu;

import static com.google.common.truth.Truth.assertThat;
import static org.dnnc.runtime.cpu.RecurrentThreadsTest.HIDDEN;
import static org.dnnc.runtime.cpu.RecurrentThreadsTest.INPUT;
import static org.dnnc.runtime.cpu.RecurrentThreadsTest.N;
import static org.dnnc.runtime.cpu.RecurrentThreadsTest.STEPS;
import static org.dnnc.runtime.cpu.RecurrentThreadsTest.random;

import java.nio.IntBuffer;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@link Recurrent#infer}, the pass that keeps no gates for a backward pass, gives bit for bit the
 * outputs and last states of {@link Recurrent#forward}, on one thread and on two, with lengths (one
 * of them zero) and initial states, for every cell and direction (the shapes of {@link
 * RecurrentGradientCheckTest}, the sizes of {@link RecurrentThreadsTest}).
 */
class RecurrentInferTest {
    @ParameterizedTest(name = "{0} reverse={1} sequences={2}")
    @MethodSource("org.dnnc.runtime.cpu.RecurrentGradientCheckTest#shapes")
    void inferGivesWhatForwardGives(RecurrentCell cell, boolean reverse, boolean sequences) {
        RecurrentGeometry g = new RecurrentGeometry(cell, STEPS, INPUT, HIDDEN, reverse, sequences);
        for (int threads = 1; threads <= 2; threads++) {
            try (CpuContext context = CpuContext.create(threads)) {
                CpuContext.Scope scope = context.enter();
                try {
                    float[][] trained = run(g, true);
                    float[][] inferred = run(g, false);
                    String[] names = {"y", "h_last", "c_last"};
                    for (int i = 0; i < names.length; i++) {
                        int at = Arrays.mismatch(inferred[i], trained[i]);
                        if (at >= 0) {
                            throw new AssertionError(names[i] + "[" + at + "] is " + inferred[i][at]
                                    + " from infer, " + trained[i][at] + " from forward, on " + threads
                                    + " thread(s)");
                        }
                    }
                    // The outputs are not all zero, so the comparison compares something.
                    assertThat(Blas.sasum(Buf.of(trained[0]), trained[0].length)).isGreaterThan(0f);
                } finally {
                    scope.close();
                }
            }
        }
    }

    /** One pass, {@link Recurrent#forward} or {@link Recurrent#infer}: y and the last states as arrays. */
    private static float[][] run(RecurrentGeometry g, boolean forward) {
        Random rng = new Random(7);
        int rows = g.gateRows();
        IntBuffer lengths = IntBuffer.wrap(new int[] {STEPS, 2, 0, 5, 1});
        Buf x = random(rng, N * STEPS * INPUT, 1f);
        Buf wIh = random(rng, rows * INPUT, 0.5f);
        Buf wHh = random(rng, rows * HIDDEN, 0.5f);
        Buf bIh = random(rng, rows, 0.3f);
        Buf bHh = random(rng, rows, 0.3f);
        Buf h0 = random(rng, N * HIDDEN, 0.5f);
        Buf c0 = random(rng, N * HIDDEN, 0.5f);
        Buf y = Buf.allocate(g.sequences() ? N * STEPS * HIDDEN : N * HIDDEN);
        Buf workspace = Buf.allocate(Math.toIntExact(Recurrent.workspaceFloats(g, N)));
        Buf hLast = Buf.allocate(N * HIDDEN);
        Buf cLast = Buf.allocate(N * HIDDEN);
        if (forward) {
            Recurrent.forward(g, x, lengths, h0, c0, wIh, wHh, bIh, bHh, y, workspace, N);
        } else {
            Recurrent.infer(g, x, lengths, h0, c0, wIh, wHh, bIh, bHh, y, workspace, N);
        }
        Recurrent.lastState(g, workspace, N, hLast, cLast);
        return new float[][] {y.toArray(), hLast.toArray(), cLast.toArray()};
    }
}
