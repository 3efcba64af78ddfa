package org.dnnc.runtime.cpu;

import static com.google.common.truth.Truth.assertThat;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

/** Initializers by their statistics and their determinism. */
class InitTest {

    private static final int N = 100_000;

    @Test
    void heNormalHasStdSqrtTwoOverFanIn() {
        Buf w = Buf.allocate(N);
        Init.heNormal(w, N, 784, 1);
        assertMoments(w, 0, Math.sqrt(2.0 / 784));
    }

    @Test
    void glorotNormalHasStdSqrtTwoOverFanSum() {
        Buf w = Buf.allocate(N);
        Init.glorotNormal(w, N, 256, 128, 2);
        assertMoments(w, 0, Math.sqrt(2.0 / 384));
    }

    @Test
    void normalHasTheGivenMeanAndStd() {
        Buf w = Buf.allocate(N);
        Init.normal(w, N, 0.5f, 2f, 3);
        assertMoments(w, 0.5, 2);
    }

    @Test
    void uniformInitializersStayInBoundsWithTheRightVariance() {
        Buf w = Buf.allocate(N);
        double he = Math.sqrt(6.0 / 784);
        Init.heUniform(w, N, 784, 4);
        assertBounded(w, -he, he);
        assertMoments(w, 0, he / Math.sqrt(3));

        double glorot = Math.sqrt(6.0 / (256 + 128));
        Init.glorotUniform(w, N, 256, 128, 5);
        assertBounded(w, -glorot, glorot);
        assertMoments(w, 0, glorot / Math.sqrt(3));

        Init.uniform(w, N, 1f, 3f, 6);
        assertBounded(w, 1, 3);
        assertMoments(w, 2, 2 / Math.sqrt(12));
    }

    @Test
    void sameSeedSameValuesOtherSeedOtherValues() {
        Buf a = Buf.allocate(1000);
        Buf b = Buf.allocate(1000);
        Init.heNormal(a, 1000, 10, 77);
        Init.heNormal(b, 1000, 10, 77);
        assertThat(b.toArray()).isEqualTo(a.toArray());
        Init.heNormal(b, 1000, 10, 78);
        assertThat(b.toArray()).isNotEqualTo(a.toArray());
        // Pinned values: the sequence is part of the contract (same weights on every JDK).
        Buf pinned = Buf.allocate(3);
        Init.uniform(pinned, 3, 0f, 1f, 0);
        assertThat(pinned.get(0)).isEqualTo((float) ((new Rng(0).nextLong() >>> 11) * 0x1.0p-53));
    }

    @Test
    void constantsAndFans() {
        Buf w = Buf.of(5f, 5f, 5f);
        Init.zeros(w, 3);
        assertThat(w.toArray()).isEqualTo(new float[] {0f, 0f, 0f});
        Init.ones(w, 2);
        assertThat(w.toArray()).isEqualTo(new float[] {1f, 1f, 0f});
        assertThat(Init.fanIn(256, 784)).isEqualTo(784);
        assertThat(Init.fanOut(256, 784)).isEqualTo(256);
        assertThat(Init.fanIn(16, 8, 3, 3)).isEqualTo(72);
        assertThat(Init.fanOut(16, 8, 3, 3)).isEqualTo(144);
        assertThrows(IllegalArgumentException.class, () -> Init.fanIn(10));
    }

    /** Sample mean within 4 standard errors, sample std within 2%. */
    private static void assertMoments(Buf w, double mean, double std) {
        double sum = 0;
        double sumSq = 0;
        for (int i = 0; i < N; i++) {
            sum += w.get(i);
            sumSq += (double) w.get(i) * w.get(i);
        }
        double m = sum / N;
        double s = Math.sqrt(sumSq / N - m * m);
        assertThat(Math.abs(m - mean)).isAtMost(4 * std / Math.sqrt(N));
        assertThat(Math.abs(s / std - 1)).isAtMost(0.02);
    }

    private static void assertBounded(Buf w, double lo, double hi) {
        for (int i = 0; i < N; i++) {
            assertThat((double) w.get(i)).isAtLeast(lo);
            assertThat((double) w.get(i)).isLessThan(hi);
        }
    }
}
