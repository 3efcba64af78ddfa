package org.dnnc.compiler.ir;

import java.math.BigDecimal;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;

/** Writes attribute values for dumps, the same way every time. */
public final class AttrText {

    private AttrText() {}

    /** Lists as {@code [a,b]}, enums in lower case, numbers by {@link #number}, the rest as they print. */
    static String format(Object value) {
        if (value instanceof Double d) {
            return number(d);
        }
        if (value instanceof Enum<?> e) {
            return e.name().toLowerCase(Locale.ROOT);
        }
        if (value instanceof List<?> list) {
            return list.stream().map(AttrText::format).collect(Collectors.joining(",", "[", "]"));
        }
        return String.valueOf(value);
    }

    /**
     * The shortest decimal that reads back as {@code d}: plain ({@code 0.5}, {@code 3}) for moderate
     * magnitudes, scientific with a two-digit exponent ({@code 1e-05}) for very small or large ones.
     * Python prints floats with the same thresholds, so dumps read the same as PyTorch code.
     */
    public static String number(double d) {
        if (Double.isNaN(d)) {
            return "nan";
        }
        if (Double.isInfinite(d)) {
            return d > 0 ? "inf" : "-inf";
        }
        BigDecimal decimal = BigDecimal.valueOf(d).stripTrailingZeros();
        if (decimal.signum() == 0) {
            return "0";
        }
        int exponent = decimal.precision() - decimal.scale() - 1;
        if (exponent >= -4 && exponent < 16) {
            return decimal.toPlainString();
        }
        String mantissa = decimal.movePointLeft(exponent).toPlainString();
        int magnitude = Math.abs(exponent);
        return mantissa + "e" + (exponent < 0 ? "-" : "+") + (magnitude < 10 ? "0" : "") + magnitude;
    }
}
