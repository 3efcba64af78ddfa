package org.dnnc.runtime.cpu;

import static com.google.common.truth.Truth.assertThat;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.IntBuffer;
import java.util.function.DoubleSupplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The recurrent backward pass against central finite differences of its own forward pass (see
 * {@link FiniteDifferences} for the step and tolerances), for what the PyTorch cases do not cover:
 * the ReLU cell, the reverse direction with lengths, the last state as the output, and initial
 * states with their gradients. The objective is {@code L = r·y + q·h_last} with fixed random {@code
 * r} and {@code q}, so the analytic gradient is the backward pass fed {@code dy = r}, {@code dhLast =
 * q}.
 */
class RecurrentGradientCheckTest {
    private static final int N = 3;
    private static final int STEPS = 4;
    private static final int INPUT = 3;
    private static final int HIDDEN = 4;

    private final Rng rng = new Rng(17);

    static Stream<Arguments> shapes() {
        Stream.Builder<Arguments> out = Stream.builder();
        for (RecurrentCell cell : RecurrentCell.values()) {
            for (boolean reverse : new boolean[] {false, true}) {
                for (boolean sequences : new boolean[] {false, true}) {
                    out.add(Arguments.of(cell, reverse, sequences));
                }
            }
        }
        return out.build();
    }

    @ParameterizedTest(name = "{0} reverse={1} sequences={2}")
    @MethodSource("shapes")
    void gradientsMatchFiniteDifferences(RecurrentCell cell, boolean reverse, boolean sequences) {
        RecurrentGeometry g = new RecurrentGeometry(cell, STEPS, INPUT, HIDDEN, reverse, sequences);
        IntBuffer lengths = IntBuffer.wrap(new int[] {STEPS, 2, 3});
        Draw d = draw(g);
        // A ReLU cell's derivative jumps at 0: draw again until no pre-activation is near it.
        for (int tries = 0; cell == RecurrentCell.RNN_RELU && !awayFromKinks(g, d, lengths); tries++) {
            assertThat(tries).isLessThan(1000);
            d = draw(g);
        }
        Buf x = d.x();
        Buf wIh = d.wIh();
        Buf wHh = d.wHh();
        Buf bIh = d.bIh();
        Buf bHh = d.bHh();
        Buf h0 = d.h0();
        Buf c0 = random(N * HIDDEN, 0.5f);
        int outputs = sequences ? N * STEPS * HIDDEN : N * HIDDEN;
        Buf y = Buf.allocate(outputs);
        Buf r = random(outputs, 1f);
        Buf q = random(N * HIDDEN, 1f);
        Buf last = Buf.allocate(N * HIDDEN);
        Buf workspace = Buf.allocate(Math.toIntExact(Recurrent.workspaceFloats(g, N)));
        DoubleSupplier loss = () -> {
            Recurrent.forward(g, x, lengths, h0, c0, wIh, wHh, bIh, bHh, y, workspace, N);
            Recurrent.lastState(g, workspace, N, last, null);
            return FiniteDifferences.dot(r, y) + (sequences ? FiniteDifferences.dot(q, last) : 0);
        };
        loss.getAsDouble();
        Buf dx = Buf.allocate(x.size());
        Buf dwIh = Buf.allocate(wIh.size());
        Buf dwHh = Buf.allocate(wHh.size());
        Buf dbIh = Buf.allocate(bIh.size());
        Buf dbHh = Buf.allocate(bHh.size());
        Buf dh0 = Buf.allocate(h0.size());
        Buf dc0 = Buf.allocate(c0.size());
        Recurrent.backward(g, x, lengths, wIh, wHh, r, sequences ? q : null, workspace, dx, dwIh, dwHh, dbIh, dbHh,
                dh0, dc0, N, false);
        String what = cell + (reverse ? " reverse" : "") + (sequences ? " sequences" : " last state");
        FiniteDifferences.check(what + " dx", x, dx, loss);
        FiniteDifferences.check(what + " dW_ih", wIh, dwIh, loss);
        FiniteDifferences.check(what + " dW_hh", wHh, dwHh, loss);
        FiniteDifferences.check(what + " db_ih", bIh, dbIh, loss);
        FiniteDifferences.check(what + " db_hh", bHh, dbHh, loss);
        FiniteDifferences.check(what + " dh0", h0, dh0, loss);
        if (cell == RecurrentCell.LSTM) {
            FiniteDifferences.check(what + " dc0", c0, dc0, loss);
        }
    }

    /** Past an example's length its outputs are zero and its input gets no gradient. */
    @Test
    void stepsPastALengthAreZero() {
        RecurrentGeometry g = new RecurrentGeometry(RecurrentCell.GRU, STEPS, INPUT, HIDDEN, true, true);
        int rows = g.gateRows();
        Buf x = random(N * STEPS * INPUT, 1f);
        Buf wIh = random(rows * INPUT, 0.5f);
        Buf wHh = random(rows * HIDDEN, 0.5f);
        Buf bIh = random(rows, 0.3f);
        Buf bHh = random(rows, 0.3f);
        IntBuffer lengths = IntBuffer.wrap(new int[] {STEPS, 1, 0});
        Buf y = random(N * STEPS * HIDDEN, 1f);
        Buf workspace = Buf.allocate(Math.toIntExact(Recurrent.workspaceFloats(g, N)));
        Recurrent.forward(g, x, lengths, null, null, wIh, wHh, bIh, bHh, y, workspace, N);
        Buf dx = random(x.size(), 1f);
        Recurrent.backward(g, x, lengths, wIh, wHh, random(y.size(), 1f), null, workspace, dx, null, null, null, null,
                null, null, N, false);
        for (int b = 0; b < N; b++) {
            for (int t = 0; t < STEPS; t++) {
                boolean valid = t < lengths.get(b);
                for (int j = 0; j < HIDDEN; j++) {
                    float v = y.get((b * STEPS + t) * HIDDEN + j);
                    assertThat(v == 0f).isEqualTo(!valid);
                }
                for (int j = 0; j < INPUT; j++) {
                    float d = dx.get((b * STEPS + t) * INPUT + j);
                    assertThat(d == 0f).isEqualTo(!valid);
                }
            }
        }
    }

    @Test
    void refusesASmallWorkspaceAndBadLengths() {
        RecurrentGeometry g = new RecurrentGeometry(RecurrentCell.LSTM, STEPS, INPUT, HIDDEN, false, false);
        int rows = g.gateRows();
        Buf x = Buf.allocate(N * STEPS * INPUT);
        Buf y = Buf.allocate(N * HIDDEN);
        Buf wIh = Buf.allocate(rows * INPUT);
        Buf wHh = Buf.allocate(rows * HIDDEN);
        Buf b = Buf.allocate(rows);
        int floats = Math.toIntExact(Recurrent.workspaceFloats(g, N));
        IllegalArgumentException small = assertThrows(IllegalArgumentException.class, () -> Recurrent.forward(g, x,
                null, null, null, wIh, wHh, b, b, y, Buf.allocate(floats - 1), N));
        assertThat(small).hasMessageThat().contains("needs " + floats);
        IllegalArgumentException length = assertThrows(IllegalArgumentException.class, () -> Recurrent.forward(g, x,
                IntBuffer.wrap(new int[] {1, STEPS + 1, 2}), null, null, wIh, wHh, b, b, y, Buf.allocate(floats), N));
        assertThat(length).hasMessageThat().isEqualTo("length 5 of example 1 is outside [0, 4]");
    }

    /** Whether no pre-activation of a ReLU cell is within 0.05 of zero, where a step of 1e-2 could cross it. */
    private static boolean awayFromKinks(RecurrentGeometry g, Draw d, IntBuffer lengths) {
        int steps = g.steps();
        float[] h = d.h0().toArray();
        for (int s = 0; s < steps; s++) {
            float[] next = h.clone();
            for (int b = 0; b < N; b++) {
                int length = lengths.get(b);
                if (s >= length) {
                    continue;
                }
                int t = g.reverse() ? length - 1 - s : s;
                for (int j = 0; j < HIDDEN; j++) {
                    double v = d.bIh().get(j) + d.bHh().get(j);
                    for (int i = 0; i < INPUT; i++) {
                        v += d.wIh().get(j * INPUT + i) * d.x().get((b * steps + t) * INPUT + i);
                    }
                    for (int k = 0; k < HIDDEN; k++) {
                        v += d.wHh().get(j * HIDDEN + k) * h[b * HIDDEN + k];
                    }
                    if (Math.abs(v) < 0.05) {
                        return false;
                    }
                    next[b * HIDDEN + j] = (float) Math.max(v, 0);
                }
            }
            h = next;
        }
        return true;
    }

    /** The inputs and parameters of one check. */
    private record Draw(Buf x, Buf wIh, Buf wHh, Buf bIh, Buf bHh, Buf h0) {}

    private Draw draw(RecurrentGeometry g) {
        int rows = g.gateRows();
        return new Draw(random(N * STEPS * INPUT, 1f), random(rows * INPUT, 0.5f), random(rows * HIDDEN, 0.5f),
                random(rows, 0.3f), random(rows, 0.3f), random(N * HIDDEN, 0.5f));
    }

    private Buf random(int n, float scale) {
        Buf b = Buf.allocate(n);
        for (int i = 0; i < n; i++) {
            b.set(i, scale * (float) rng.nextGaussian());
        }
        return b;
    }
}
