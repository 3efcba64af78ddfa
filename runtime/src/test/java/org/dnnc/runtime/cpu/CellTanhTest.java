package org.dnnc.runtime.cpu;

import static com.google.common.truth.Truth.assertThat;

import org.junit.jupiter.api.Test;

/** {@link Lstm#tanh}, which every recurrent cell uses, against {@link Math#tanh}. */
class CellTanhTest {

    /** Within one float ulp of {@link Math#tanh} over a sweep of magnitudes and signs, exact at the ends. */
    @Test
    void matchesMathTanhWithinOneUlp() {
        int differing = 0;
        int checked = 0;
        for (float v = 1e-7f; v < 40f; v *= 1.0007f) {
            for (float x : new float[] {v, -v}) {
                float expected = (float) Math.tanh(x);
                float actual = Lstm.tanh(x);
                assertThat((double) Math.abs(actual - expected)).isAtMost((double) Math.ulp(expected));
                if (actual != expected) {
                    differing++;
                }
                checked++;
            }
        }
        assertThat(checked).isGreaterThan(30_000);
        // Rare roundings only: the double computation is far more precise than a float.
        assertThat(differing).isLessThan(checked / 1000);
        assertThat(Lstm.tanh(0f)).isEqualTo(0f);
        assertThat(Float.floatToIntBits(Lstm.tanh(-0f))).isEqualTo(Float.floatToIntBits(-0f));
        assertThat(Lstm.tanh(Float.POSITIVE_INFINITY)).isEqualTo(1f);
        assertThat(Lstm.tanh(Float.NEGATIVE_INFINITY)).isEqualTo(-1f);
        assertThat(Lstm.tanh(Float.NaN)).isNaN();
    }
}
