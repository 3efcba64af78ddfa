package org.dnnc.runtime.cpu;

import static com.google.common.truth.Truth.assertThat;

import org.junit.jupiter.api.Test;

/** {@link Exp#exp}, which the recurrent cells' sigmoid and tanh use, against {@link Math#exp}. */
class ExpTest {

    /** Relative error under 4e-15 over a fine sweep of {@code (-700, 700)}, both signs. */
    @Test
    void matchesMathExpInDouble() {
        int checked = 0;
        for (double v = 1e-9; v < 700; v *= 1.0003) {
            for (double x : new double[] {v, -v}) {
                double expected = Math.exp(x);
                assertThat(Math.abs(Exp.exp(x) - expected) / expected).isLessThan(4e-15);
                checked++;
            }
        }
        assertThat(checked).isGreaterThan(100_000);
        assertThat(Exp.exp(0)).isEqualTo(1.0);
        assertThat(Exp.exp(-0.0)).isEqualTo(1.0);
    }

    /** Past the table's range, and at infinities and NaN, {@link Math#exp}'s own results. */
    @Test
    void outsideTheRangeIsMathExp() {
        for (double x : new double[] {700, -700, 709.5, -745, 800, -800, Double.POSITIVE_INFINITY,
            Double.NEGATIVE_INFINITY}) {
            assertThat(Exp.exp(x)).isEqualTo(Math.exp(x));
        }
        assertThat(Exp.exp(Double.NaN)).isNaN();
    }

    /** The float sigmoid equals the one from {@link Math#exp} but for rare roundings, never more than an ulp. */
    @Test
    void sigmoidMatchesWithinOneUlp() {
        CellTanhTest.withinOneUlp(Lstm::sigmoid, x -> (float) (1 / (1 + Math.exp(-x))), 110f);
        assertThat(Lstm.sigmoid(Float.NEGATIVE_INFINITY)).isEqualTo(0f);
        assertThat(Lstm.sigmoid(Float.POSITIVE_INFINITY)).isEqualTo(1f);
        assertThat(Lstm.sigmoid(Float.NaN)).isNaN();
    }
}
