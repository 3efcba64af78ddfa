package org.dnnc.runtime.cpu;

/**
 * im2col and col2im straight from their definitions, entry by entry over the column matrices of
 * {@code count} examples side by side (rows {@code ld} floats apart), for tests to compare the
 * kernels with: col2im sums in double.
 */
final class Im2colReference {

    private Im2colReference() {}

    /** One entry of the column matrices: where it is, and the input element it reads ({@code -1} in the padding). */
    interface Entry {
        void at(int colIndex, int inputIndex);
    }

    /** Visits every entry of the column matrices of {@code count} examples, row by row. */
    static void forEachEntry(ConvGeometry g, int count, int ld, Entry entry) {
        int spatial = g.outHeight() * g.outWidth();
        for (int c = 0, r = 0; c < g.channels(); c++) {
            for (int i = 0; i < g.kernelH(); i++) {
                for (int j = 0; j < g.kernelW(); j++, r++) {
                    for (int e = 0; e < count; e++) {
                        for (int oy = 0; oy < g.outHeight(); oy++) {
                            for (int ox = 0; ox < g.outWidth(); ox++) {
                                int y = oy * g.strideH() + i - g.padTop();
                                int x = ox * g.strideW() + j - g.padLeft();
                                boolean inside = y >= 0 && y < g.height() && x >= 0 && x < g.width();
                                entry.at(r * ld + e * spatial + oy * g.outWidth() + ox,
                                        inside ? e * g.inputSize() + (c * g.height() + y) * g.width() + x : -1);
                            }
                        }
                    }
                }
            }
        }
    }

    /** The column matrices of the examples from {@code x[0]}: the input pixel, or 0 in the padding. */
    static float[] im2col(ConvGeometry g, Buf x, int count, int ld) {
        float[] col = new float[g.patchSize() * ld];
        forEachEntry(g, count, ld, (at, from) -> col[at] = from < 0 ? 0f : x.get(from));
        return col;
    }

    /** The examples' input gradients from the column matrices {@code col}, each pixel the sum of its entries. */
    static double[] col2im(ConvGeometry g, Buf col, int count, int ld) {
        double[] dx = new double[count * g.inputSize()];
        forEachEntry(g, count, ld, (at, to) -> {
            if (to >= 0) {
                dx[to] += col.get(at);
            }
        });
        return dx;
    }
}
