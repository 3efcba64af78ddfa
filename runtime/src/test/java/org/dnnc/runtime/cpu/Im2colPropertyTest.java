package org.dnnc.runtime.cpu;

import static com.google.common.truth.Truth.assertWithMessage;

import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * im2col and col2im on random shapes against a reference written straight from the definition:
 * strides 1 to 3 (stride 1 only with an output narrower than the input, the phase-plane path), odd
 * and even sizes, paddings 0 to 2 on each side independently, kernels 1 to 5 in each direction,
 * groups of 1 to 3 examples, rows further apart than their length, and col2im overwriting or
 * accumulating. im2col is a copy, so it must match exactly; col2im sums each pixel's kernel columns
 * in another order than the reference, so it matches within float rounding.
 */
class Im2colPropertyTest {

    private static final int CASES = 300;

    /** col2im's sums hold at most 25 terms of about unit size: a few float roundings of 1e-7 each. */
    private static final double TOLERANCE = 1e-5;

    @Test
    void im2colMatchesTheReferenceExactly() {
        Random random = new Random(17);
        for (int n = 0; n < CASES; n++) {
            ConvGeometry g = randomShape(random);
            int count = 1 + random.nextInt(3);
            int groupWidth = count * spatial(g);
            int ld = groupWidth + random.nextInt(3);
            Buf x = Gaussian.buf(count * g.inputSize(), n);
            Buf col = Buf.allocate(1 + g.patchSize() * ld);
            Elementwise.fill(col, col.size(), 7f);
            Im2col.im2colGroup(g, x, 0, count, col, 1, ld);
            float[] want = Im2colReference.im2col(g, x, count, ld);
            assertWithMessage("%s before the offset", g).that(col.get(0)).isEqualTo(7f);
            for (int k = 0; k < want.length; k++) {
                float expected = k % ld < groupWidth ? want[k] : 7f; // past a row's end: untouched
                assertWithMessage("%s, %s examples, ld %s: row %s, column %s", g, count, ld, k / ld, k % ld)
                        .that(col.get(1 + k)).isEqualTo(expected);
            }
        }
    }

    @Test
    void col2imMatchesTheReferenceWithinRounding() {
        Random random = new Random(18);
        for (int n = 0; n < CASES; n++) {
            ConvGeometry g = randomShape(random);
            int count = 1 + random.nextInt(3);
            int ld = count * spatial(g) + random.nextInt(3);
            boolean accumulate = random.nextBoolean();
            Buf col = Gaussian.buf(g.patchSize() * ld, n);
            Buf dx = Gaussian.buf(count * g.inputSize(), 1000 + n);
            double[] want = Im2colReference.col2im(g, col, count, ld);
            if (accumulate) {
                for (int p = 0; p < want.length; p++) {
                    want[p] += dx.get(p);
                }
            }
            Im2col.col2imGroup(g, col, 0, ld, count, dx, 0, accumulate);
            for (int p = 0; p < want.length; p++) {
                assertWithMessage("%s, %s examples, ld %s, accumulate %s at %s", g, count, ld, accumulate, p)
                        .that((double) dx.get(p)).isWithin(TOLERANCE).of(want[p]);
            }
        }
    }

    /** A shape for the phase-plane path: a stride above 1, or stride 1 with a narrower output. */
    private static ConvGeometry randomShape(Random random) {
        while (true) {
            int kh = 1 + random.nextInt(5);
            int kw = 1 + random.nextInt(5);
            int sh = 1 + random.nextInt(3);
            int sw = 1 + random.nextInt(3);
            int h = 1 + random.nextInt(12);
            int w = 1 + random.nextInt(12);
            int top = random.nextInt(3);
            int left = random.nextInt(3);
            int bottom = random.nextInt(3);
            int right = random.nextInt(3);
            if (h + top + bottom < kh || w + left + right < kw) {
                continue;
            }
            ConvGeometry g = new ConvGeometry(1 + random.nextInt(3), h, w, 2, kh, kw, sh, sw, top, left, bottom,
                    right);
            if (sh > 1 || sw > 1 || g.outWidth() != w) {
                return g;
            }
        }
    }

    private static int spatial(ConvGeometry g) {
        return g.outHeight() * g.outWidth();
    }

}
