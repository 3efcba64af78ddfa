package org.dnnc.runtime.cpu;

import static com.google.common.truth.Truth.assertThat;

import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * {@link WinogradTransform#combine} against adding its terms one by one, in order of the
 * coefficient's column and skipping zero coefficients: the same floats, bit for bit, for every
 * matrix the transforms apply, on values that include zeros of both signs, infinities and NaN. A
 * NaN need only be a NaN: which of two NaNs an addition returns (and so the sign of {@code inf -
 * inf}'s NaN after it) depends on the operand order the JIT picks, which Java leaves open.
 */
class WinogradTransformTest {

    @Test
    void combineAddsTheNonzeroTermsInOrderBitForBit() {
        Random random = new Random(7);
        for (WinogradTransform t : new WinogradTransform[] {WinogradTransform.R3, WinogradTransform.R5}) {
            for (float[][] coef : new float[][][] {t.at(), t.bt(), t.a(), t.b()}) {
                for (int count : new int[] {1, 7, 33}) {
                    float[][] in = new float[coef[0].length][count];
                    for (float[] row : in) {
                        for (int p = 0; p < count; p++) {
                            row[p] = value(random);
                        }
                    }
                    float[][] out = new float[coef.length][count];
                    WinogradTransform.combine(coef, in, out, count);
                    float[][] expected = termByTerm(coef, in, count);
                    for (int i = 0; i < coef.length; i++) {
                        for (int p = 0; p < count; p++) {
                            assertSameFloat(out[i][p], expected[i][p]);
                        }
                    }
                }
            }
        }
    }

    @Test
    void combineCoversRowsOfManyTerms() {
        // Nine nonzero terms in a row take a pass of four and two passes that add to the row.
        float[][] coef = {{1, -2, 0, 3, 0.5f, 4, -1, 0, 2, 8, -3}};
        float[][] in = new float[coef[0].length][5];
        Random random = new Random(11);
        for (float[] row : in) {
            for (int p = 0; p < row.length; p++) {
                row[p] = (float) random.nextGaussian();
            }
        }
        float[][] out = new float[1][5];
        WinogradTransform.combine(coef, in, out, 5);
        float[][] expected = termByTerm(coef, in, 5);
        for (int p = 0; p < 5; p++) {
            assertSameFloat(out[0][p], expected[0][p]);
        }
    }

    /** The same bits, or both NaN. */
    private static void assertSameFloat(float actual, float expected) {
        if (Float.isNaN(expected)) {
            assertThat(Float.isNaN(actual)).isTrue();
        } else {
            assertThat(Float.floatToRawIntBits(actual)).isEqualTo(Float.floatToRawIntBits(expected));
        }
    }

    private static float[][] termByTerm(float[][] coef, float[][] in, int count) {
        float[][] out = new float[coef.length][count];
        for (int i = 0; i < coef.length; i++) {
            for (int p = 0; p < count; p++) {
                boolean first = true;
                float sum = 0f;
                for (int j = 0; j < coef[i].length; j++) {
                    if (coef[i][j] != 0f) {
                        sum = first ? coef[i][j] * in[j][p] : sum + coef[i][j] * in[j][p];
                        first = false;
                    }
                }
                out[i][p] = sum;
            }
        }
        return out;
    }

    private static float value(Random random) {
        return switch (random.nextInt(12)) {
            case 0 -> 0f;
            case 1 -> -0f;
            case 2 -> Float.POSITIVE_INFINITY;
            case 3 -> Float.NaN;
            default -> (float) (random.nextGaussian() * Math.pow(10, random.nextInt(9) - 4));
        };
    }
}
