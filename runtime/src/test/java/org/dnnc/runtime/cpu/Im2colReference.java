package org.dnnc.runtime.cpu;

/**
 * im2col and col2im straight from their definitions, entry by entry over the column matrices of
 * {@code count} examples side by side (rows {@code ld} floats apart), for tests to compare the
 * kernels with: col2im sums in double.
 */
final class Im2colReference {

    private Im2colReference() {}

    /** The column matrices of the examples from {@code x[0]}: the input pixel, or 0 in the padding. */
    static float[] im2col(ConvGeometry g, Buf x, int count, int ld) {
        float[] col = new float[g.patchSize() * ld];
        for (int c = 0, r = 0; c < g.channels(); c++) {
            for (int i = 0; i < g.kernelH(); i++) {
                for (int j = 0; j < g.kernelW(); j++, r++) {
                    for (int e = 0; e < count; e++) {
                        for (int oy = 0; oy < g.outHeight(); oy++) {
                            for (int ox = 0; ox < g.outWidth(); ox++) {
                                int y = oy * g.strideH() + i - g.padTop();
                                int xx = ox * g.strideW() + j - g.padLeft();
                                int at = r * ld + e * g.outHeight() * g.outWidth() + oy * g.outWidth() + ox;
                                col[at] = inside(g, y, xx)
                                        ? x.get(e * g.inputSize() + (c * g.height() + y) * g.width() + xx)
                                        : 0f;
                            }
                        }
                    }
                }
            }
        }
        return col;
    }

    /** The examples' input gradients from the column matrices {@code col}, each pixel the sum of its entries. */
    static double[] col2im(ConvGeometry g, Buf col, int count, int ld) {
        double[] dx = new double[count * g.inputSize()];
        for (int c = 0, r = 0; c < g.channels(); c++) {
            for (int i = 0; i < g.kernelH(); i++) {
                for (int j = 0; j < g.kernelW(); j++, r++) {
                    for (int e = 0; e < count; e++) {
                        for (int oy = 0; oy < g.outHeight(); oy++) {
                            for (int ox = 0; ox < g.outWidth(); ox++) {
                                int y = oy * g.strideH() + i - g.padTop();
                                int xx = ox * g.strideW() + j - g.padLeft();
                                if (inside(g, y, xx)) {
                                    dx[e * g.inputSize() + (c * g.height() + y) * g.width() + xx] +=
                                            col.get(r * ld + e * g.outHeight() * g.outWidth() + oy * g.outWidth() + ox);
                                }
                            }
                        }
                    }
                }
            }
        }
        return dx;
    }

    private static boolean inside(ConvGeometry g, int y, int x) {
        return y >= 0 && y < g.height() && x >= 0 && x < g.width();
    }
}
