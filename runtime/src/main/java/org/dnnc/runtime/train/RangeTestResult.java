package org.dnnc.runtime.train;

import java.util.Arrays;

/**
 * What a learning-rate range test ({@link LearningRate.RangeTest}) found: the loss of each step
 * against its rate, smoothed, and the rate to train with.
 *
 * <p>The losses are smoothed with a centered moving average over about 5% of the steps (at least 3
 * steps), which lags neither way. The suggestion follows the usual rule of Smith and of fastai's
 * finder: the rate where the smoothed loss falls fastest against the logarithm of the rate (its
 * steepest descent), looked for before the smoothed loss reaches its minimum, where training starts
 * to diverge. The other common rule, the rate of the minimum divided by 10, is given as {@link
 * #minimumOverTen()}; the two usually lie within a factor of a few of each other.
 *
 * @param rates each step's learning rate, growing
 * @param losses each step's mean batch loss
 * @param smoothed the smoothed losses
 * @param minimumIndex the step of the smoothed loss's minimum
 * @param steepestIndex the step of the steepest descent; -1 if the loss never fell
 */
public record RangeTestResult(double[] rates, double[] losses, double[] smoothed, int minimumIndex, int steepestIndex) {
    /** Fewer steps leave nothing to smooth and no slope to find. */
    public static final int MIN_STEPS = 5;

    /**
     * Analyses a range test's steps (for example {@link BatchLog#learningRates()} and {@link
     * BatchLog#losses()}). Steps with a NaN or infinite loss (a diverged end) are left out.
     *
     * @throws IllegalArgumentException if the arrays differ in length, the rates are not positive and
     *     growing, or fewer than {@link #MIN_STEPS} steps have a finite loss
     */
    public static RangeTestResult of(double[] rates, double[] losses) {
        if (rates.length != losses.length) {
            throw new IllegalArgumentException("a range test needs one loss per rate, got " + rates.length + " rates and "
                    + losses.length + " losses");
        }
        int n = 0;
        while (n < losses.length && Double.isFinite(losses[n])) {
            n++;
        }
        if (n < MIN_STEPS) {
            throw new IllegalArgumentException("a range test needs at least " + MIN_STEPS
                    + " steps with a finite loss to suggest a rate, got " + n);
        }
        double[] r = Arrays.copyOf(rates, n);
        double[] l = Arrays.copyOf(losses, n);
        for (int i = 0; i < n; i++) {
            if (!(r[i] > 0) || (i > 0 && !(r[i] > r[i - 1]))) {
                throw new IllegalArgumentException("a range test's rates must be positive and growing, but step " + i
                        + " has rate " + r[i] + (i > 0 ? " after " + r[i - 1] : ""));
            }
        }
        double[] s = smooth(l);
        int minimum = 0;
        for (int i = 1; i < n; i++) {
            if (s[i] < s[minimum]) {
                minimum = i;
            }
        }
        int steepest = -1;
        double steepestSlope = 0;
        for (int i = 1; i <= Math.min(minimum, n - 2); i++) {
            double slope = (s[i + 1] - s[i - 1]) / (Math.log(r[i + 1]) - Math.log(r[i - 1]));
            if (slope < steepestSlope) {
                steepestSlope = slope;
                steepest = i;
            }
        }
        return new RangeTestResult(r, l, s, minimum, steepest);
    }

    /** Whether the smoothed loss fell anywhere before its minimum; else there is no steepest descent. */
    public boolean lossFell() {
        return steepestIndex >= 0;
    }

    /** The suggested rate: that of the steepest descent of the smoothed loss; NaN if the loss never fell. */
    public double suggestedRate() {
        return steepestIndex >= 0 ? rates[steepestIndex] : Double.NaN;
    }

    /** The rate at the smoothed loss's minimum, divided by 10: the other common rule. */
    public double minimumOverTen() {
        return rates[minimumIndex] / 10;
    }

    /** A centered moving average over {@code 2k + 1} steps, {@code k} about 2.5% of them, shorter at the ends. */
    static double[] smooth(double[] values) {
        int n = values.length;
        int k = Math.max(1, (int) Math.round(n * 0.025));
        double[] prefix = new double[n + 1];
        for (int i = 0; i < n; i++) {
            prefix[i + 1] = prefix[i] + values[i];
        }
        double[] out = new double[n];
        for (int i = 0; i < n; i++) {
            int from = Math.max(0, i - k);
            int to = Math.min(n, i + k + 1);
            out[i] = (prefix[to] - prefix[from]) / (to - from);
        }
        return out;
    }
}
