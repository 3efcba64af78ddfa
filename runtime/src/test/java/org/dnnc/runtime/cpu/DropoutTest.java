package org.dnnc.runtime.cpu;

import static com.google.common.truth.Truth.assertThat;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

/** Dropout by its statistics: mask rate, inverted scaling, and a backward that reuses the mask. */
class DropoutTest {

    private static final int N = 100_001; // odd, so the one-decision tail runs too

    @Test
    void keepsOneMinusPWithinThreeSigmaAndScalesKeptValues() {
        float p = 0.3f;
        Buf x = Buf.allocate(N);
        Elementwise.fill(x, N, 2f);
        Buf y = Buf.allocate(N);
        Buf mask = Buf.allocate(N);
        Dropout.forward(x, y, mask, N, p, new Rng(42));
        int kept = 0;
        double sum = 0;
        float scale = 1f / (1f - p);
        for (int i = 0; i < N; i++) {
            float m = mask.get(i);
            assertThat(m == 0f || m == scale).isTrue();
            assertThat(y.get(i)).isEqualTo(2f * m);
            if (m != 0f) {
                kept++;
            }
            sum += y.get(i);
        }
        double sigma = Math.sqrt(N * p * (1 - p));
        assertThat(Math.abs(kept - N * (1.0 - p))).isAtMost(3 * sigma);
        // Inverted scaling keeps the expectation: mean(y) = 2, with std 2 sqrt(p / (1 - p) / N).
        double meanSigma = 2 * Math.sqrt(p / (1 - p) / N);
        assertThat(Math.abs(sum / N - 2)).isAtMost(3 * meanSigma);
    }

    @Test
    void backwardUsesTheForwardMask() {
        int n = 1000;
        Buf x = Buf.allocate(n);
        Elementwise.fill(x, n, 1f);
        Buf y = Buf.allocate(n);
        Buf mask = Buf.allocate(n);
        Dropout.forward(x, y, mask, n, 0.5f, new Rng(3));
        Buf dy = Buf.allocate(n);
        for (int i = 0; i < n; i++) {
            dy.set(i, i + 1f);
        }
        Buf dx = Buf.allocate(n);
        Dropout.backward(dy, mask, dx, n);
        for (int i = 0; i < n; i++) {
            // y = x * mask with x = 1, so y is the mask: dx must be dy where kept, 0 where dropped.
            assertThat(dx.get(i)).isEqualTo(dy.get(i) * y.get(i));
        }
    }

    @Test
    void masksAreDeterministicPerSeedAndFreshPerStep() {
        int n = 256;
        Buf x = Buf.allocate(n);
        Elementwise.fill(x, n, 1f);
        Buf a = Buf.allocate(n);
        Buf b = Buf.allocate(n);
        Buf mask = Buf.allocate(n);
        Rng rng = new Rng(9);
        Dropout.forward(x, a, mask, n, 0.5f, rng);
        Dropout.forward(x, b, mask, n, 0.5f, rng);
        assertThat(b.toArray()).isNotEqualTo(a.toArray());
        Dropout.forward(x, b, mask, n, 0.5f, new Rng(9));
        assertThat(b.toArray()).isEqualTo(a.toArray());
    }

    @Test
    void zeroProbabilityIsTheIdentityAndBadProbabilitiesAreRejected() {
        Buf x = Buf.of(1f, -2f, 3f);
        Buf y = Buf.allocate(3);
        Buf mask = Buf.allocate(3);
        Dropout.forward(x, y, mask, 3, 0f, new Rng(1));
        assertThat(y.toArray()).isEqualTo(x.toArray());
        assertThrows(IllegalArgumentException.class, () -> Dropout.forward(x, y, mask, 3, 1f, new Rng(1)));
        assertThrows(IllegalArgumentException.class, () -> Dropout.forward(x, y, mask, 3, -0.1f, new Rng(1)));
    }

    @Test
    void maskAloneDrawsTheSameDecisionsAsForward() {
        float p = 0.25f;
        Buf x = Buf.allocate(N);
        Elementwise.fill(x, N, 1f);
        Buf y = Buf.allocate(N);
        Buf expected = Buf.allocate(N);
        Dropout.forward(x, y, expected, N, p, new Rng(7));
        Buf mask = Buf.allocate(N);
        Dropout.mask(mask, N, p, new Rng(7));
        for (int i = 0; i < N; i++) {
            assertThat(mask.get(i)).isEqualTo(expected.get(i));
        }
    }

    @Test
    void subtractsElementwise() {
        Buf y = Buf.allocate(3);
        Elementwise.sub(Buf.of(5, 1, -2), Buf.of(2, 3, -2), y, 3);
        assertThat(y.toArray()).usingExactEquality().containsExactly(3f, -2f, 0f).inOrder();
    }
}
