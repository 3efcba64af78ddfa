package org.dnnc.runtime.cpu;

import static com.google.common.truth.Truth.assertThat;

import java.util.function.DoubleUnaryOperator;
import org.junit.jupiter.api.Test;

/** {@link Lstm#tanh}, which every recurrent cell uses, against {@link Math#tanh}. */
class CellTanhTest {

    /** Within one float ulp of {@link Math#tanh} over a sweep of magnitudes and signs, exact at the ends. */
    @Test
    void matchesMathTanhWithinOneUlp() {
        withinOneUlp(Lstm::tanh, x -> (float) Math.tanh(x), 40f);
        assertThat(Lstm.tanh(0f)).isEqualTo(0f);
        assertThat(Float.floatToIntBits(Lstm.tanh(-0f))).isEqualTo(Float.floatToIntBits(-0f));
        assertThat(Lstm.tanh(Float.POSITIVE_INFINITY)).isEqualTo(1f);
        assertThat(Lstm.tanh(Float.NEGATIVE_INFINITY)).isEqualTo(-1f);
        assertThat(Lstm.tanh(Float.NaN)).isNaN();
    }

    /**
     * {@code actual} within one float ulp of {@code expected} over a sweep of magnitudes from 1e-7 to
     * {@code upTo}, both signs, and equal to it but for rare roundings (under one in a thousand).
     */
    static void withinOneUlp(FloatUnary actual, DoubleUnaryOperator expected, float upTo) {
        int differing = 0;
        int checked = 0;
        for (float v = 1e-7f; v < upTo; v *= 1.0007f) {
            for (float x : new float[] {v, -v}) {
                float want = (float) expected.applyAsDouble(x);
                float got = actual.apply(x);
                assertThat((double) Math.abs(got - want)).isAtMost((double) Math.ulp(want));
                if (got != want) {
                    differing++;
                }
                checked++;
            }
        }
        assertThat(checked).isGreaterThan(30_000);
        // Rare roundings only: the double computation is far more precise than a float.
        assertThat(differing).isLessThan(checked / 1000);
    }

    /** A float function. */
    interface FloatUnary {
        float apply(float x);
    }
}
