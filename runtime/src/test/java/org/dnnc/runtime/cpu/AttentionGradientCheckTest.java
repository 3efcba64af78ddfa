package org.dnnc.runtime.cpu;

import static com.google.common.truth.Truth.assertThat;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.IntBuffer;
import java.util.function.DoubleSupplier;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

/**
 * The attention backward pass against central finite differences of its forward pass (see {@link
 * FiniteDifferences}), for what the PyTorch case does not cover: several queries per example, and
 * lengths (a full one, a short one and 0). The objective is {@code L = r·context} for a fixed random
 * {@code r}, so the analytic gradient is the backward pass fed {@code dContext = r}; gradients are
 * accumulated onto a random start, which the check subtracts.
 */
class AttentionGradientCheckTest {
    private static final int N = 3;
    private static final int STEPS = 4;
    private static final int DQ = 3;
    private static final int DV = 2;
    private static final int UNITS = 5;

    private final Rng rng = new Rng(23);

    @ParameterizedTest(name = "queries={0} lengths={1}")
    @CsvSource({"1, false", "3, false", "1, true", "3, true"})
    void gradientsMatchFiniteDifferences(int queries, boolean withLengths) {
        AttentionGeometry g = new AttentionGeometry(queries, STEPS, DQ, DV, UNITS);
        IntBuffer lengths = withLengths ? IntBuffer.wrap(new int[] {STEPS, 2, 0}) : null;
        Buf q = random(N * queries * DQ, 1f);
        Buf z = random(N * STEPS * DV, 1f);
        Buf w = random(UNITS * (DQ + DV), 0.7f);
        Buf v = random(UNITS, 1f);
        Buf context = Buf.allocate(N * queries * DV);
        Buf r = random(context.size(), 1f);
        Buf workspace = Buf.allocate(Math.toIntExact(Attention.workspaceFloats(g, N)));
        DoubleSupplier loss = () -> {
            Attention.forward(g, q, z, lengths, w, v, context, null, workspace, N);
            return FiniteDifferences.dot(r, context);
        };
        loss.getAsDouble();
        Buf[] starts = {random(q.size(), 1f), random(z.size(), 1f), random(w.size(), 1f), random(v.size(), 1f)};
        Buf[] grads = new Buf[starts.length];
        for (int i = 0; i < starts.length; i++) {
            grads[i] = Buf.of(starts[i].toArray());
        }
        Attention.backward(g, q, z, lengths, w, v, r, workspace, grads[0], grads[1], grads[2], grads[3], N, true);
        String what = queries + " queries" + (withLengths ? " with lengths" : "");
        FiniteDifferences.check(what + " dquery", q, minus(grads[0], starts[0]), loss);
        FiniteDifferences.check(what + " dvalues", z, minus(grads[1], starts[1]), loss);
        FiniteDifferences.check(what + " dW", w, minus(grads[2], starts[2]), loss);
        FiniteDifferences.check(what + " dv", v, minus(grads[3], starts[3]), loss);
    }

    /** Steps at or past a length get weight zero; an example of length 0 has a zero context. */
    @Test
    void paddingGetsNoWeight() {
        AttentionGeometry g = new AttentionGeometry(2, STEPS, DQ, DV, UNITS);
        IntBuffer lengths = IntBuffer.wrap(new int[] {STEPS, 1, 0});
        Buf weights = Buf.allocate(N * 2 * STEPS);
        Buf context = random(N * 2 * DV, 1f);
        Buf workspace = Buf.allocate(Math.toIntExact(Attention.workspaceFloats(g, N)));
        Attention.forward(g, random(N * 2 * DQ, 1f), random(N * STEPS * DV, 1f), lengths, random(UNITS * (DQ + DV),
                1f), random(UNITS, 1f), context, weights, workspace, N);
        for (int b = 0; b < N; b++) {
            for (int i = 0; i < 2; i++) {
                double sum = 0;
                for (int j = 0; j < STEPS; j++) {
                    float a = weights.get((b * 2 + i) * STEPS + j);
                    assertThat(a == 0f).isEqualTo(j >= lengths.get(b));
                    sum += a;
                }
                assertThat(sum).isWithin(1e-6).of(lengths.get(b) == 0 ? 0 : 1);
            }
        }
        assertThat(context.get(2 * 2 * DV)).isEqualTo(0f);
    }

    @Test
    void refusesASmallWorkspaceAndBadLengths() {
        AttentionGeometry g = new AttentionGeometry(1, STEPS, DQ, DV, UNITS);
        Buf q = Buf.allocate(N * DQ);
        Buf z = Buf.allocate(N * STEPS * DV);
        Buf w = Buf.allocate(UNITS * (DQ + DV));
        Buf v = Buf.allocate(UNITS);
        Buf context = Buf.allocate(N * DV);
        int floats = Math.toIntExact(Attention.workspaceFloats(g, N));
        IllegalArgumentException small = assertThrows(IllegalArgumentException.class,
                () -> Attention.forward(g, q, z, null, w, v, context, null, Buf.allocate(floats - 1), N));
        assertThat(small).hasMessageThat().contains("needs " + floats);
        IllegalArgumentException length = assertThrows(IllegalArgumentException.class, () -> Attention.forward(g, q,
                z, IntBuffer.wrap(new int[] {1, STEPS + 1, 2}), w, v, context, null, Buf.allocate(floats), N));
        assertThat(length).hasMessageThat().isEqualTo("length 5 of example 1 is outside [0, 4]");
    }

    private static Buf minus(Buf a, Buf b) {
        Buf out = Buf.allocate(a.size());
        for (int i = 0; i < a.size(); i++) {
            out.set(i, a.get(i) - b.get(i));
        }
        return out;
    }

    private Buf random(int n, float scale) {
        Buf b = Buf.allocate(n);
        for (int i = 0; i < n; i++) {
            b.set(i, scale * (float) rng.nextGaussian());
        }
        return b;
    }
}
