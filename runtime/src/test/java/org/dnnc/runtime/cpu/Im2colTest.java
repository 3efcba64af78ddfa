package org.dnnc.runtime.cpu;

import static com.google.common.truth.Truth.assertWithMessage;

import org.junit.jupiter.api.Test;

/**
 * im2col and col2im against their definitions, element by element, on both paths: stride 1 with
 * an output as wide as the input (whole rows moved at once, side padding cleared afterwards) and
 * everything else (one output row at a time). The shapes include kernels wider than the input.
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
    };

    @Test
    void im2colPicksTheInputPixelOrZero() {
        for (ConvGeometry g : SHAPES) {
            Buf x = Gaussian.buf(g.inputSize(), 1);
            int spatial = g.outHeight() * g.outWidth();
            int ld = spatial + 3; // rows apart by more than their length
            Buf col = Buf.allocate(g.patchSize() * ld);
            Elementwise.fill(col, col.size(), 7f);
            Im2col.im2col(g, x, 0, col, 0, ld);
            for (int c = 0, r = 0; c < g.channels(); c++) {
                for (int i = 0; i < g.kernelH(); i++) {
                    for (int j = 0; j < g.kernelW(); j++, r++) {
                        for (int oy = 0; oy < g.outHeight(); oy++) {
                            for (int ox = 0; ox < g.outWidth(); ox++) {
                                float expected = pixel(g, x, c, oy * g.strideH() + i - g.padTop(),
                                        ox * g.strideW() + j - g.padLeft());
                                assertWithMessage("%s row %s at (%s, %s)", g, r, oy, ox)
                                        .that(col.get(r * ld + oy * g.outWidth() + ox)).isEqualTo(expected);
                            }
                        }
                        for (int p = spatial; p < ld; p++) {
                            assertWithMessage("%s row %s past its end", g, r).that(col.get(r * ld + p)).isEqualTo(7f);
                        }
                    }
                }
            }
        }
    }

    @Test
    void col2imAddsEveryEntryToItsPixelAndDropsThePadding() {
        for (ConvGeometry g : SHAPES) {
            int spatial = g.outHeight() * g.outWidth();
            Buf col = Gaussian.buf(g.patchSize() * spatial, 2);
            double[] expected = new double[g.inputSize()];
            for (int c = 0, r = 0; c < g.channels(); c++) {
                for (int i = 0; i < g.kernelH(); i++) {
                    for (int j = 0; j < g.kernelW(); j++, r++) {
                        for (int oy = 0; oy < g.outHeight(); oy++) {
                            for (int ox = 0; ox < g.outWidth(); ox++) {
                                int y = oy * g.strideH() + i - g.padTop();
                                int xx = ox * g.strideW() + j - g.padLeft();
                                if (y >= 0 && y < g.height() && xx >= 0 && xx < g.width()) {
                                    expected[(c * g.height() + y) * g.width() + xx] += col.get(r * spatial + oy * g.outWidth() + ox);
                                }
                            }
                        }
                    }
                }
            }
            for (boolean accumulate : new boolean[] {false, true}) {
                Buf dx = Buf.allocate(g.inputSize());
                Elementwise.fill(dx, dx.size(), 0.25f);
                Im2col.col2im(g, col, 0, spatial, dx, 0, accumulate);
                for (int p = 0; p < g.inputSize(); p++) {
                    double want = expected[p] + (accumulate ? 0.25 : 0);
                    assertWithMessage("%s accumulate %s at %s", g, accumulate, p).that((double) dx.get(p))
                            .isWithin(1e-5).of(want);
                }
            }
        }
    }

    private static float pixel(ConvGeometry g, Buf x, int c, int y, int xx) {
        if (y < 0 || y >= g.height() || xx < 0 || xx >= g.width()) {
            return 0f;
        }
        return x.get((c * g.height() + y) * g.width() + xx);
    }
}
