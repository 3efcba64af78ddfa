package org.dnnc.runtime.cpu;

import java.util.function.DoubleSupplier;

/**
 * The finite-difference check the gradient tests share: central differences in float with step
 * {@code h = 1e-2}, compared as {@code |numeric - analytic| <= 2e-3 + 1e-2 |analytic|} (truncation
 * error of order {@code h^2}, rounding error of order {@code 1e-7 / h}, both well inside).
 */
final class FiniteDifferences {
    private static final float H = 1e-2f;
    private static final double RTOL = 1e-2;
    private static final double ATOL = 2e-3;

    private FiniteDifferences() {}

    /** Compares {@code analytic} with central differences of {@code loss} in each element of {@code input}. */
    static void check(String what, Buf input, Buf analytic, DoubleSupplier loss) {
        float[] numeric = new float[input.size()];
        for (int i = 0; i < input.size(); i++) {
            float v = input.get(i);
            input.set(i, v + H);
            double plus = loss.getAsDouble();
            input.set(i, v - H);
            double minus = loss.getAsDouble();
            input.set(i, v);
            numeric[i] = (float) ((plus - minus) / (2 * H));
        }
        loss.getAsDouble();
        Close.check(what + " (analytic vs finite differences)", analytic.toArray(), numeric, RTOL, ATOL);
    }

    /** {@code sum_i a_i b_i} in double: the scalar objective of the checks. */
    static double dot(Buf a, Buf b) {
        double s = 0;
        for (int i = 0; i < a.size(); i++) {
            s += (double) a.get(i) * b.get(i);
        }
        return s;
    }
}
