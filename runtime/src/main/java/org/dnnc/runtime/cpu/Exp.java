package org.dnnc.runtime.cpu;

/**
 * {@code e^x} in double, as plain arithmetic that the JIT inlines into the recurrent cells' loops:
 * {@link Math#exp} is an intrinsic but still a call into a stub, three of them per element of the
 * GRU cell and five of the LSTM's. The relative error is about {@code 1e-15} (under {@code 4e-15}
 * over {@code |x| < 700}, {@code ExpTest}), so a float rounded from a result is {@link Math#exp}'s
 * but for rare roundings.
 *
 * <p>Method: {@code x = (32 k + j) ln2/32 + r} with {@code |r| <= ln2/64}, {@code e^x = 2^k 2^(j/32)
 * e^r}, {@code 2^(j/32)} from a table and {@code e^r} from its Taylor polynomial of degree 5
 * (truncation error under {@code 3e-15}).
 */
final class Exp {
    private static final double[] TWO_TO_J_32 = new double[32];
    /** Adding it rounds a double under 2^51 to an integer, which its low bits then hold. */
    private static final double SHIFT = 0x1.8p52;
    private static final double INV_LN2_32 = 32 / Math.log(2);
    /**
     * ln2/32 in two parts (fdlibm's {@code ln2_hi} and {@code ln2_lo} over 32), the first with 21 zero
     * low bits, so that {@code k * LN2_32_HI} is exact, the second carrying the bits beyond a double.
     */
    private static final double LN2_32_HI = 6.93147180369123816490e-01 / 32;
    private static final double LN2_32_LO = 1.90821492927058770002e-10 / 32;
    /** Beyond it 2^k leaves the normal doubles; {@link Math#exp} takes over. */
    private static final double LIMIT = 700;

    static {
        for (int j = 0; j < 32; j++) {
            TWO_TO_J_32[j] = StrictMath.pow(2, j / 32.0);
        }
    }

    private Exp() {}

    static double exp(double x) {
        if (!(Math.abs(x) < LIMIT)) {
            return Math.exp(x);
        }
        double shifted = x * INV_LN2_32 + SHIFT;
        int k = (int) Double.doubleToRawLongBits(shifted);
        double kd = shifted - SHIFT;
        double r = (x - kd * LN2_32_HI) - kd * LN2_32_LO;
        double p = 1 + r * (1 + r * (1.0 / 2 + r * (1.0 / 6 + r * (1.0 / 24 + r * (1.0 / 120)))));
        return TWO_TO_J_32[k & 31] * p * Double.longBitsToDouble((long) ((k >> 5) + 1023) << 52);
    }
}
