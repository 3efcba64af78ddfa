package org.dnnc.runtime.cpu;

/** Element-wise comparison with {@code |a - b| <= atol + rtol * |b|}, reporting the worst element. */
final class Close {

    private Close() {}

    static void check(String what, float[] actual, float[] expected, double rtol, double atol) {
        if (actual.length != expected.length) {
            throw new AssertionError(what + ": " + actual.length + " values, expected " + expected.length);
        }
        int worst = -1;
        double worstExcess = Double.NEGATIVE_INFINITY;
        double worstAbs = 0;
        int bad = 0;
        for (int i = 0; i < actual.length; i++) {
            double err = Math.abs((double) actual[i] - expected[i]);
            double allowed = atol + rtol * Math.abs(expected[i]);
            if (!(err <= allowed)) {
                bad++;
            }
            double excess = Double.isNaN(err) ? Double.POSITIVE_INFINITY : err - allowed;
            if (excess > worstExcess) {
                worstExcess = excess;
                worst = i;
                worstAbs = err;
            }
        }
        if (bad > 0) {
            throw new AssertionError(String.format(
                    "%s: %d of %d values out of tolerance (rtol %.1e, atol %.1e); worst at [%d]: got %.9g, expected %.9g, |diff| %.3e",
                    what, bad, actual.length, rtol, atol, worst, actual[worst], expected[worst], worstAbs));
        }
    }

    static void check(String what, float actual, float expected, double rtol, double atol) {
        check(what, new float[] {actual}, new float[] {expected}, rtol, atol);
    }
}
