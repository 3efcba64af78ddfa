package org.dnnc.runtime.train;

import static com.google.common.truth.Truth.assertThat;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The suggested rate of a range test, on a synthetic loss curve whose steepest descent against
 * log(rate) is at 1e-3 by construction: {@code 2 - tanh(2 (log10 r + 3))}, plus a blow-up past 0.1
 * and a little noise, over 300 rates from 1e-6 to 1.
 */
class RangeTestResultTest {
    private static final int STEPS = 300;

    @Test
    void theSuggestionIsTheSteepestDescentOfTheSmoothedLoss() {
        double[] rates = new double[STEPS];
        double[] losses = new double[STEPS];
        double[] clean = new double[STEPS];
        SplittableRandom noise = new SplittableRandom(1);
        for (int i = 0; i < STEPS; i++) {
            rates[i] = 1e-6 * Math.pow(1e6, i / (STEPS - 1.0));
            clean[i] = curve(rates[i]);
            losses[i] = clean[i] + noise.nextDouble(-0.01, 0.01);
        }
        RangeTestResult result = RangeTestResult.of(rates, losses);
        assertThat(result.lossFell()).isTrue();
        // Neighbouring rates are a factor 1.047 apart: the smoothing may move the point a few steps.
        assertThat(result.suggestedRate()).isWithin(1e-3 * 0.15).of(1e-3);
        int cleanMinimum = 0;
        for (int i = 1; i < STEPS; i++) {
            if (clean[i] < clean[cleanMinimum]) {
                cleanMinimum = i;
            }
        }
        double ratio = result.minimumOverTen() / (rates[cleanMinimum] / 10);
        assertThat(ratio).isWithin(0.25).of(1);
        assertThat(result.smoothed()).hasLength(STEPS);
    }

    @Test
    void aLossThatNeverFallsHasNoSuggestionAndADivergedEndIsLeftOut() {
        double[] rates = {1e-3, 1e-2, 1e-1, 1, 10, 100, 1000};
        double[] rising = {1, 2, 3, 4, 5, Double.NaN, Double.POSITIVE_INFINITY};
        RangeTestResult result = RangeTestResult.of(rates, rising);
        assertThat(result.rates()).hasLength(5);
        assertThat(result.lossFell()).isFalse();
        assertThat(result.suggestedRate()).isNaN();
        assertThat(result.minimumOverTen()).isEqualTo(1e-4);
        assertThat(assertThrows(IllegalArgumentException.class, () -> RangeTestResult.of(new double[] {1, 2, 3},
                new double[] {1, 1, 1}))).hasMessageThat().contains("at least 5 steps");
        assertThat(assertThrows(IllegalArgumentException.class, () -> RangeTestResult.of(new double[] {1, 2, 2, 3, 4},
                new double[] {1, 1, 1, 1, 1}))).hasMessageThat().contains("positive and growing");
    }

    private static double curve(double rate) {
        double x = Math.log10(rate);
        return 2 - Math.tanh(2 * (x + 3)) + Math.exp(6 * (x + 1));
    }
}
