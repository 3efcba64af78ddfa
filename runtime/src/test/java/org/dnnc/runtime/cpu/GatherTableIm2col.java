package org.dnnc.runtime.cpu;

import java.nio.FloatBuffer;
import java.util.Arrays;

/**
 * {@link Im2col}'s general path as it was before the phase planes, the baseline of {@link
 * Im2colBench}: each channel's rows are gathered (im2col) or scatter-added (col2im) entry by entry
 * through an index table of where each entry comes from. Like the original, it builds the table and
 * its arrays once per shape (here for one thread: the benchmark's).
 */
final class GatherTableIm2col {

    private static ConvGeometry shape;
    private static int[] table;
    private static float[] plane;
    private static float[] block;

    private GatherTableIm2col() {}

    /** Like {@link Im2col#im2colGroup}, for shapes off the row-contiguous path. */
    static void im2colGroup(ConvGeometry g, Buf x, int xOffset, int count, Buf col, int colOffset, int ldCol) {
        int planeSize = g.height() * g.width();
        int taps = g.kernelH() * g.kernelW();
        int spatial = g.outHeight() * g.outWidth();
        int groupWidth = count * spatial;
        int[] taken = gatherTable(g);
        float[] plane = plane(planeSize + 1);
        plane[planeSize] = 0f; // what the taps in the padding read; col2im's sink may have left a sum there
        float[] block = block(taps * groupWidth);
        FloatBuffer xs = x.data;
        FloatBuffer cs = col.data;
        for (int c = 0; c < g.channels(); c++) {
            for (int e = 0; e < count; e++) {
                xs.get(xOffset + e * g.inputSize() + c * planeSize, plane, 0, planeSize);
                for (int r = 0, t = 0; r < taps; r++) {
                    for (int p = 0, o = r * groupWidth + e * spatial; p < spatial; p++, t++, o++) {
                        block[o] = plane[taken[t]];
                    }
                }
            }
            for (int r = 0; r < taps; r++) {
                cs.put(colOffset + (c * taps + r) * ldCol, block, r * groupWidth, groupWidth);
            }
        }
    }

    /** Like {@link Im2col#col2imGroup}, for shapes off the row-contiguous path. */
    static void col2imGroup(ConvGeometry g, Buf col, int colOffset, int ldCol, int count, Buf dx, int xOffset,
            boolean accumulate) {
        int planeSize = g.height() * g.width();
        int taps = g.kernelH() * g.kernelW();
        int spatial = g.outHeight() * g.outWidth();
        int groupWidth = count * spatial;
        int[] taken = gatherTable(g);
        float[] acc = plane(planeSize + 1);
        float[] block = block(taps * groupWidth);
        FloatBuffer cs = col.data;
        FloatBuffer ds = dx.data;
        for (int c = 0; c < g.channels(); c++) {
            for (int r = 0; r < taps; r++) {
                cs.get(colOffset + (c * taps + r) * ldCol, block, r * groupWidth, groupWidth);
            }
            for (int e = 0; e < count; e++) {
                int planeOffset = xOffset + e * g.inputSize() + c * planeSize;
                if (accumulate) {
                    ds.get(planeOffset, acc, 0, planeSize);
                } else {
                    Arrays.fill(acc, 0, planeSize, 0f);
                }
                for (int r = 0, t = 0; r < taps; r++) {
                    for (int p = 0, o = r * groupWidth + e * spatial; p < spatial; p++, t++, o++) {
                        acc[taken[t]] += block[o];
                    }
                }
                ds.put(planeOffset, acc, 0, planeSize);
            }
        }
    }

    private static float[] plane(int n) {
        if (plane == null || plane.length < n) {
            plane = new float[n];
        }
        return plane;
    }

    private static float[] block(int n) {
        if (block == null || block.length < n) {
            block = new float[n];
        }
        return block;
    }

    private static int[] gatherTable(ConvGeometry g) {
        if (g.equals(shape)) {
            return table;
        }
        int oh = g.outHeight();
        int ow = g.outWidth();
        int[] taken = new int[g.kernelH() * g.kernelW() * oh * ow];
        int outside = g.height() * g.width();
        int t = 0;
        for (int i = 0; i < g.kernelH(); i++) {
            for (int j = 0; j < g.kernelW(); j++) {
                for (int oy = 0; oy < oh; oy++) {
                    int y = oy * g.strideH() + i - g.padTop();
                    for (int ox = 0; ox < ow; ox++) {
                        int x = ox * g.strideW() + j - g.padLeft();
                        boolean inside = y >= 0 && y < g.height() && x >= 0 && x < g.width();
                        taken[t++] = inside ? y * g.width() + x : outside;
                    }
                }
            }
        }
        shape = g;
        table = taken;
        return taken;
    }
}
