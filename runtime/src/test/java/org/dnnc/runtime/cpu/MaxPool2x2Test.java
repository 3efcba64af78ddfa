package org.dnnc.runtime.cpu;

import static com.google.common.truth.Truth.assertWithMessage;
import static org.junit.jupiter.params.provider.Arguments.arguments;

import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@link Pool2d}'s 2x2 stride-2 max-pooling loops, forward and backward, against a straightforward
 * reference written from the rule, bit for bit, on random planes crowded with ties: values drawn
 * from a few, {@code -0.0} and {@code +0.0} among them (the zeros ReLU leaves), and in some cases
 * NaNs of both signs and infinities. Shapes cover the per-window loop (narrow planes) and the pair
 * pass (planes from 14 wide), even and odd sizes (odd: the last row or column belongs to no window).
 *
 * <p>The rule: a window's maximum is NaN if it holds a NaN, else its largest value, {@code +0.0}
 * over {@code -0.0}. Its gradient goes to the first pixel in {@code a, b, c, d} order ({@code a b}
 * over {@code c d}) that equals ({@code ==}) the maximum, and to {@code d} when the window holds a
 * NaN; every other pixel of the window gets {@code +0.0}.
 */
class MaxPool2x2Test {

    private static final float NEGATIVE_NAN = Float.intBitsToFloat(0xffc00000);
    private static final float[] TIES = {-1f, -0f, 0f, 0f, 0f, 0.5f, 1f, 1f, 2f};
    private static final float[] SPECIALS = {Float.NaN, NEGATIVE_NAN, Float.POSITIVE_INFINITY,
        Float.NEGATIVE_INFINITY, -0f, 0f, 1f};

    @ParameterizedTest(name = "{0}x{1}, specials {2}")
    @MethodSource("shapes")
    void forwardMatchesTheRule(int height, int width, boolean specials) {
        PoolGeometry g = geometry(height, width);
        SplittableRandom random = new SplittableRandom(height * 31L + width);
        for (int trial = 0; trial < 20; trial++) {
            float[] in = plane(random, height * width, specials);
            float[] out = new float[g.outHeight() * g.outWidth()];
            Pool2d.maxPlane(g, in, out, garbage(height * width));
            for (int oy = 0; oy < g.outHeight(); oy++) {
                for (int ox = 0; ox < g.outWidth(); ox++) {
                    float expected = referenceMax(window(in, width, oy, ox));
                    float actual = out[oy * g.outWidth() + ox];
                    String what = String.format("window (%d, %d) of %s", oy, ox, Arrays.toString(window(in, width, oy, ox)));
                    if (Float.isNaN(expected)) {
                        assertWithMessage(what).that(Float.isNaN(actual)).isTrue();
                    } else {
                        assertWithMessage(what).that(Float.floatToRawIntBits(actual))
                                .isEqualTo(Float.floatToRawIntBits(expected));
                    }
                }
            }
        }
    }

    @ParameterizedTest(name = "{0}x{1}, specials {2}")
    @MethodSource("shapes")
    void backwardMatchesTheRule(int height, int width, boolean specials) {
        PoolGeometry g = geometry(height, width);
        SplittableRandom random = new SplittableRandom(height * 37L + width);
        int ow = g.outWidth();
        for (int trial = 0; trial < 20; trial++) {
            float[] in = plane(random, height * width, specials);
            float[] grad = plane(random, g.outHeight() * ow, false);
            for (int i = 0; i < grad.length; i++) {
                grad[i] += (float) random.nextDouble(-0.25, 0.25) * (i % 3);
            }
            // Accumulating onto random values (every shape), and assigning (where the windows tile);
            // with relu, a winner whose value is not positive (its bits not a positive int: y > 0 or a
            // positive NaN passes, as BatchNorm.reluMask has it) gets +0.0 instead of the gradient.
            for (boolean assign : Pool2d.tiles(g) ? new boolean[] {false, true} : new boolean[] {false}) {
                for (boolean relu : new boolean[] {false, true}) {
                    float[] before = plane(random, height * width, false);
                    float[] expected = before.clone();
                    for (int oy = 0; oy < g.outHeight(); oy++) {
                        for (int ox = 0; ox < ow; ox++) {
                            int winner = referenceWinner(window(in, width, oy, ox));
                            for (int k = 0; k < 4; k++) {
                                int p = (2 * oy + k / 2) * width + 2 * ox + k % 2;
                                boolean passes = !relu || Float.floatToRawIntBits(in[p]) > 0;
                                float share = k == winner && passes ? grad[oy * ow + ox] : 0f;
                                expected[p] = assign ? share : before[p] + share;
                            }
                        }
                    }
                    float[] acc = before.clone();
                    Pool2d.maxPlaneBackward(g, in, grad, acc, assign, relu, garbage(height * width));
                    for (int p = 0; p < acc.length; p++) {
                        assertWithMessage("pixel %s (assign %s, relu %s) of %s", p, assign, relu, Arrays.toString(in))
                                .that(Float.floatToRawIntBits(acc[p])).isEqualTo(Float.floatToRawIntBits(expected[p]));
                    }
                }
            }
        }
    }

    /**
     * Where windows overlap or do not tile (3x3 stride 2 with padding, 3x3 stride 3), the gated
     * backward equals the plain one followed by {@link BatchNorm#reluMask} over the plane, bit for bit:
     * a pixel that wins several windows adds each window's gradient, gated by its own value.
     */
    @ParameterizedTest(name = "{0}x{1}, specials {2}")
    @MethodSource("shapes")
    void theGateOnOtherWindowsIsTheMaskAfterwards(int height, int width, boolean specials) {
        SplittableRandom random = new SplittableRandom(height * 41L + width);
        PoolGeometry[] geometries = {
            new PoolGeometry(1, height, width, 3, 3, 2, 2, 1, 1),
            new PoolGeometry(1, height, width, Math.min(3, height), Math.min(3, width), 3, 3, 0, 0),
        };
        for (PoolGeometry g : geometries) {
            for (int trial = 0; trial < 10; trial++) {
                float[] in = plane(random, height * width, specials);
                float[] grad = plane(random, g.outHeight() * g.outWidth(), false);
                float[] masked = new float[height * width];
                Pool2d.maxPlaneBackward(g, in, grad, masked, false, false, garbage(height * width));
                BatchNorm.reluMask(in, masked, masked.length);
                float[] gated = new float[height * width];
                Pool2d.maxPlaneBackward(g, in, grad, gated, false, true, garbage(height * width));
                for (int p = 0; p < gated.length; p++) {
                    assertWithMessage("pixel %s of %s, %s", p, g, Arrays.toString(in))
                            .that(Float.floatToRawIntBits(gated[p])).isEqualTo(Float.floatToRawIntBits(masked[p]));
                }
            }
        }
    }

    /** Height, width, and whether NaNs and infinities are mixed in. */
    static Stream<Arguments> shapes() {
        return Stream.of(arguments(28, 28, false), arguments(28, 28, true), arguments(14, 14, false),
                arguments(14, 14, true), arguments(7, 7, false), arguments(7, 7, true), arguments(4, 4, false),
                arguments(2, 2, true), arguments(16, 15, false), arguments(15, 16, true), arguments(29, 31, false),
                arguments(13, 14, true), arguments(3, 5, false), arguments(8, 8, true));
    }

    private static PoolGeometry geometry(int height, int width) {
        return new PoolGeometry(1, height, width, 2, 2, 2, 2, 0, 0);
    }

    /** Random values with many ties and zeros of both signs; with {@code specials}, about one in eight special. */
    private static float[] plane(SplittableRandom random, int n, boolean specials) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = specials && random.nextInt(8) == 0 ? SPECIALS[random.nextInt(SPECIALS.length)]
                    : TIES[random.nextInt(TIES.length)];
        }
        return v;
    }

    /** Scratch full of NaNs: the kernels must not read what they did not write. */
    private static float[] garbage(int n) {
        float[] v = new float[n];
        Arrays.fill(v, Float.NaN);
        return v;
    }

    /** The window's pixels {@code a, b, c, d}: top row left to right, then the bottom row. */
    private static float[] window(float[] in, int width, int oy, int ox) {
        int i = 2 * oy * width + 2 * ox;
        return new float[] {in[i], in[i + 1], in[i + width], in[i + width + 1]};
    }

    private static float referenceMax(float[] v) {
        float best = Float.NEGATIVE_INFINITY;
        for (float x : v) {
            if (Float.isNaN(x)) {
                return Float.NaN;
            }
            if (x > best || (x == best && Float.floatToRawIntBits(x) == 0)) {
                best = x;
            }
        }
        return best;
    }

    private static int referenceWinner(float[] v) {
        float max = referenceMax(v);
        if (Float.isNaN(max)) {
            return 3;
        }
        for (int k = 0; k < 4; k++) {
            if (v[k] == max) {
                return k;
            }
        }
        throw new AssertionError("no pixel equals the maximum of " + Arrays.toString(v));
    }
}
