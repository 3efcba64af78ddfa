package org.dnnc.runtime.data;

import static com.google.common.truth.Truth.assertThat;
import static com.google.common.truth.Truth.assertWithMessage;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.dnnc.runtime.cpu.Rng;
import org.junit.jupiter.api.Test;

/** Each augmentation on small images whose every possible outcome the test can name. */
class AugmentationTest {
    private static final int[] SHAPE = {2, 4, 5};

    /** Two channels of distinct values, so that any misplaced pixel shows. */
    private static float[] image() {
        float[] x = new float[2 * 4 * 5];
        for (int i = 0; i < x.length; i++) {
            x[i] = i + 1;
        }
        return x;
    }

    private static float at(float[] x, int c, int y, int xx) {
        return x[(c * 4 + y) * 5 + xx];
    }

    @Test
    void flipHorizontalMirrorsEveryRowOrNothingAboutHalfTheTime() {
        Rng rng = new Rng(1);
        int flipped = 0;
        for (int trial = 0; trial < 200; trial++) {
            float[] x = image();
            new Augmentation.FlipHorizontal().apply(x, 0, SHAPE, rng, new float[40]);
            boolean mirrored = x[0] != 1;
            for (int c = 0; c < 2; c++) {
                for (int y = 0; y < 4; y++) {
                    for (int xx = 0; xx < 5; xx++) {
                        assertThat(at(x, c, y, xx)).isEqualTo(at(image(), c, y, mirrored ? 4 - xx : xx));
                    }
                }
            }
            flipped += mirrored ? 1 : 0;
        }
        assertThat(flipped).isIn(com.google.common.collect.Range.closed(70, 130));
    }

    @Test
    void flipVerticalMirrorsEveryColumnOrNothing() {
        Rng rng = new Rng(2);
        int flipped = 0;
        for (int trial = 0; trial < 100; trial++) {
            float[] x = image();
            new Augmentation.FlipVertical().apply(x, 0, SHAPE, rng, new float[40]);
            boolean mirrored = x[0] != 1;
            for (int c = 0; c < 2; c++) {
                for (int y = 0; y < 4; y++) {
                    for (int xx = 0; xx < 5; xx++) {
                        assertThat(at(x, c, y, xx)).isEqualTo(at(image(), c, mirrored ? 3 - y : y, xx));
                    }
                }
            }
            flipped += mirrored ? 1 : 0;
        }
        assertThat(flipped).isIn(com.google.common.collect.Range.closed(25, 75));
    }

    @Test
    void shiftTranslatesByAtMostThePixelsAndFillsWithZeros() {
        Rng rng = new Rng(3);
        boolean[][] seen = new boolean[5][5];
        float[] x = new float[2 * 40];
        for (int trial = 0; trial < 300; trial++) {
            System.arraycopy(image(), 0, x, 40, 40);
            // The second example of a batch, to check the offset.
            new Augmentation.Shift(2).apply(x, 40, SHAPE, rng, new float[40]);
            float[] shifted = java.util.Arrays.copyOfRange(x, 40, 80);
            int[] d = findShift(shifted);
            assertWithMessage("trial %s: %s", trial, java.util.Arrays.toString(shifted)).that(d).isNotNull();
            seen[d[0] + 2][d[1] + 2] = true;
        }
        for (boolean[] row : seen) {
            for (boolean s : row) {
                assertThat(s).isTrue(); // every shift in [-2, 2] x [-2, 2] happens
            }
        }
    }

    /** The (dy, dx) that maps the test image to {@code x} with a zero border, or null. */
    private static int[] findShift(float[] x) {
        for (int dy = -2; dy <= 2; dy++) {
            for (int dx = -2; dx <= 2; dx++) {
                boolean all = true;
                for (int c = 0; c < 2 && all; c++) {
                    for (int y = 0; y < 4 && all; y++) {
                        for (int xx = 0; xx < 5 && all; xx++) {
                            int sy = y - dy;
                            int sx = xx - dx;
                            float expected = sy < 0 || sx < 0 || sy >= 4 || sx >= 5 ? 0 : at(image(), c, sy, sx);
                            all = at(x, c, y, xx) == expected;
                        }
                    }
                }
                if (all) {
                    return new int[] {dy, dx};
                }
            }
        }
        return null;
    }

    @Test
    void rotateTurnsAboutTheCentre() {
        // A 9x9 image with one bright pixel two to the right of the centre: turned by up to 90
        // degrees it lands on the circle of radius 2 around the centre, never on the left half.
        int[] shape = {1, 9, 9};
        Rng rng = new Rng(4);
        double largestTurn = 0;
        for (int trial = 0; trial < 50; trial++) {
            float[] x = new float[81];
            x[4 * 9 + 6] = 1;
            new Augmentation.Rotate(90).apply(x, 0, shape, rng, new float[81]);
            double sum = 0;
            double cy = 0;
            double cx = 0;
            for (int y = 0; y < 9; y++) {
                for (int xx = 0; xx < 9; xx++) {
                    sum += x[y * 9 + xx];
                    cy += x[y * 9 + xx] * (y - 4);
                    cx += x[y * 9 + xx] * (xx - 4);
                }
            }
            assertWithMessage("mass").that(sum).isWithin(0.1).of(1); // bilinear sampling spreads a pixel, nearly preserving it
            assertWithMessage("radius").that(Math.hypot(cy, cx) / sum).isWithin(0.3).of(2);
            assertWithMessage("right half").that(cx).isAtLeast(-1e-6);
            largestTurn = Math.max(largestTurn, Math.abs(cy));
        }
    }

    @Test
    void noiseHasTheRequestedDeviation() {
        float[] x = new float[100_000];
        new Augmentation.Noise(0.5).apply(x, 0, new int[] {100_000}, new Rng(5), new float[0]);
        double sum = 0;
        double squares = 0;
        for (float v : x) {
            sum += v;
            squares += v * v;
        }
        double mean = sum / x.length;
        assertThat(mean).isWithin(0.01).of(0);
        assertThat(Math.sqrt(squares / x.length - mean * mean)).isWithin(0.01).of(0.5);
        assertThat(new Augmentation.Noise(0.5).needsImages()).isFalse();
        assertThat(new Augmentation.Shift(1).needsImages()).isTrue();
    }

    @Test
    void badArgumentsAreRejected() {
        assertThat(assertThrows(IllegalArgumentException.class, () -> new Augmentation.Shift(0)))
                .hasMessageThat().isEqualTo("shift needs at least 1 pixel, got 0");
        assertThat(assertThrows(IllegalArgumentException.class, () -> new Augmentation.Noise(-1)))
                .hasMessageThat().isEqualTo("noise needs a positive standard deviation, got -1.0");
        assertThat(assertThrows(IllegalArgumentException.class, () -> new Augmentation.Rotate(200)))
                .hasMessageThat().isEqualTo("rotate needs an angle in (0, 180] degrees, got 200.0");
    }
}
