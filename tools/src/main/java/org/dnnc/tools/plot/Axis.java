package org.dnnc.tools.plot;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * One axis of a {@link Chart.Panel}: its range, linear or logarithmic, its ticks and their labels.
 *
 * @param integral whether every value on it is a whole number, so that ticks are too
 */
record Axis(double low, double high, boolean log, boolean integral) {

    /**
     * The axis that holds every finite value of {@code series} on x or y, or {@code range} when
     * given; a little wider than the data on a linear axis, whole decades on a log one.
     */
    static Axis fit(List<Chart.Series> series, boolean x, boolean log, double[] range) {
        if (range != null) {
            return new Axis(range[0], range[1], log, false);
        }
        double low = Double.POSITIVE_INFINITY;
        double high = Double.NEGATIVE_INFINITY;
        boolean integral = true;
        for (Chart.Series s : series) {
            double[] values = x ? s.xs() : s.ys();
            for (double v : values) {
                if (Double.isFinite(v) && (!log || v > 0)) {
                    low = Math.min(low, v);
                    high = Math.max(high, v);
                    integral &= v == Math.rint(v);
                }
            }
        }
        if (low > high) {
            return log ? new Axis(0.1, 1, true, false) : new Axis(0, 1, false, false);
        }
        if (log) {
            return new Axis(Math.pow(10, Math.floor(Math.log10(low))), Math.pow(10, Math.ceil(Math.log10(high))), true,
                    false);
        }
        if (low == high) {
            return new Axis(low - 1, high + 1, false, integral);
        }
        double pad = x ? 0 : (high - low) * 0.05;
        return new Axis(low - pad, high + pad, false, integral);
    }

    /** Where {@code value} lies between the pixels {@code from} (low) and {@code to} (high). */
    double toPixel(double value, double from, double to) {
        double t = log ? (Math.log10(value) - Math.log10(low)) / (Math.log10(high) - Math.log10(low))
                : (value - low) / (high - low);
        return from + (to - from) * t;
    }

    double clamp(double value) {
        return Math.max(low, Math.min(high, value));
    }

    /**
     * Decades on a log axis; else 1, 2 or 5 times a power of ten, about five of them, and whole
     * numbers on an axis of whole numbers (epochs).
     */
    List<Double> ticks() {
        List<Double> ticks = new ArrayList<>();
        if (log) {
            for (double t = low; t <= high * 1.0001; t *= 10) {
                ticks.add(t);
            }
            return ticks;
        }
        double rough = (high - low) / 5;
        double magnitude = Math.pow(10, Math.floor(Math.log10(rough)));
        double step = magnitude * (rough / magnitude < 1.5 ? 1 : rough / magnitude < 3.5 ? 2 : rough / magnitude < 7.5 ? 5 : 10);
        if (integral) {
            step = Math.max(1, step);
        }
        for (double t = Math.ceil(low / step) * step; t <= high + step * 1e-9; t += step) {
            ticks.add(Math.abs(t) < step * 1e-9 ? 0 : t);
        }
        return ticks;
    }

    String label(double tick) {
        if (log) {
            return String.format(Locale.ROOT, "1e%d", Math.round(Math.log10(tick)));
        }
        return new BigDecimal(String.format(Locale.ROOT, "%.3g", tick)).stripTrailingZeros().toPlainString();
    }
}
