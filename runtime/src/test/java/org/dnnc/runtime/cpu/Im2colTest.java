package org.dnnc.runtime.cpu;

import static com.google.common.truth.Truth.assertWithMessage;

import org.junit.jupiter.api.Test;

/**
 * im2col and col2im against their definitions, element by element, on both paths: stride 1 with
 * an output as wide as the input (whole rows moved at once, side padding cleared afterwards) and
 * everything else (runs of phase planes), for one example and for a group of examples
 * side by side. The shapes include kernels wider than the input.
 */
class Im2colTest {

    private static final ConvGeometry[] SHAPES = {
        ConvGeometry.same(16, 14, 14, 4, 5, 5, 1, 1), // row-contiguous
        ConvGeometry.same(2, 6, 5, 3, 4, 2, 1, 1), // row-contiguous, padding 1 left and 2 right
        ConvGeometry.same(2, 3, 2, 3, 5, 5, 1, 1), // row-contiguous, the kernel wider than the input
        ConvGeometry.same(1, 7, 9, 2, 3, 1, 1, 1), // row-contiguous, no side padding
        ConvGeometry.same(2, 8, 7, 3, 3, 3, 2, 2), // general: stride 2
        new ConvGeometry(2, 6, 7, 3, 3, 3, 1, 1, 1, 0, 0, 2), // row-contiguous, all side padding right
        new ConvGeometry(2, 6, 7, 3, 3, 3, 1, 1, 1, 0, 0, 1), // general: output narrower than the input
        ConvGeometry.symmetric(3, 6, 6, 2, 3, 1, 0), // general: no padding
        ConvGeometry.symmetric(3, 7, 7, 2, 3, 2, 1), // general: stride 2, odd input, one row past the input
        ConvGeometry.symmetric(3, 5, 5, 2, 1, 1, 0), // general: pointwise, as the batched GEMM stages it
    };

    /** One example (im2col, col2im), and a group of three side by side (im2colGroup, col2imGroup). */
    private static final int[] COUNTS = {1, 3};

    @Test
    void im2colPicksTheInputPixelOrZero() {
        for (ConvGeometry g : SHAPES) {
            for (int count : COUNTS) {
                Buf x = Gaussian.buf(count * g.inputSize(), 1);
                int spatial = g.outHeight() * g.outWidth();
                int ld = count * spatial + 3; // rows apart by more than their length
                Buf col = Buf.allocate(g.patchSize() * ld + 1);
                Elementwise.fill(col, col.size(), 7f);
                if (count == 1) {
                    Im2col.im2col(g, x, 0, col, 1, ld);
                } else {
                    Im2col.im2colGroup(g, x, 0, count, col, 1, ld);
                }
                assertWithMessage("%s before the offset", g).that(col.get(0)).isEqualTo(7f);
                float[] expected = Im2colReference.im2col(g, x, count, ld);
                for (int r = 0; r < g.patchSize(); r++) {
                    for (int p = 0; p < count * spatial; p++) {
                        assertWithMessage("%s, %s examples: row %s at %s", g, count, r, p)
                                .that(col.get(1 + r * ld + p)).isEqualTo(expected[r * ld + p]);
                    }
                    for (int p = count * spatial; p < ld; p++) {
                        assertWithMessage("%s row %s past its end", g, r).that(col.get(1 + r * ld + p))
                                .isEqualTo(7f);
                    }
                }
            }
        }
    }

    @Test
    void col2imAddsEveryEntryToItsPixelAndDropsThePadding() {
        for (ConvGeometry g : SHAPES) {
            for (int count : COUNTS) {
                int spatial = g.outHeight() * g.outWidth();
                int ld = count * spatial + (count == 1 ? 0 : 2);
                Buf col = Gaussian.buf(g.patchSize() * ld, 2);
                double[] expected = Im2colReference.col2im(g, col, count, ld);
                for (boolean accumulate : new boolean[] {false, true}) {
                    Buf dx = Buf.allocate(count * g.inputSize());
                    Elementwise.fill(dx, dx.size(), 0.25f);
                    if (count == 1) {
                        Im2col.col2im(g, col, 0, ld, dx, 0, accumulate);
                    } else {
                        Im2col.col2imGroup(g, col, 0, ld, count, dx, 0, accumulate);
                    }
                    for (int p = 0; p < count * g.inputSize(); p++) {
                        double want = expected[p] + (accumulate ? 0.25 : 0);
                        assertWithMessage("%s, %s examples, accumulate %s at %s", g, count, accumulate, p)
                                .that((double) dx.get(p)).isWithin(1e-5).of(want);
                    }
                }
            }
        }
    }
}
