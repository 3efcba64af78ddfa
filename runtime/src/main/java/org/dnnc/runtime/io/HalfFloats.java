package org.dnnc.runtime.io;

/**
 * The two 16-bit float formats checkpoints use, widened to {@code float}. Both conversions are
 * exact: every F16 and BF16 value is a float. (Java 17 has no {@code Float.float16ToFloat}.)
 */
final class HalfFloats {
    private HalfFloats() {}

    /** IEEE 754 binary16: 1 sign bit, 5 exponent bits (bias 15), 10 mantissa bits. */
    static float fromF16(short half) {
        int bits = half & 0xFFFF;
        int sign = (bits & 0x8000) << 16;
        int exponent = (bits >>> 10) & 0x1F;
        int mantissa = bits & 0x3FF;
        if (exponent == 0x1F) {
            // Infinity, or NaN with its payload kept.
            return Float.intBitsToFloat(sign | 0x7F80_0000 | (mantissa << 13));
        }
        if (exponent == 0) {
            // Zero or subnormal: mantissa × 2^-24, which a float holds exactly.
            float magnitude = mantissa * 0x1.0p-24f;
            return sign == 0 ? magnitude : -magnitude;
        }
        return Float.intBitsToFloat(sign | ((exponent - 15 + 127) << 23) | (mantissa << 13));
    }

    /** bfloat16: the upper 16 bits of a float. */
    static float fromBf16(short half) {
        return Float.intBitsToFloat((half & 0xFFFF) << 16);
    }
}
