package org.dnnc.runtime.cpu;

import java.nio.FloatBuffer;
import java.util.Arrays;

/**
 * The im2col transform that turns a convolution into a matrix product, and its adjoint col2im.
 *
 * <p>For one example {@code x [C, H, W]}, the column matrix {@code col [C*kh*kw, oh*ow]} holds in
 * row {@code (c*kh + i)*kw + j} and column {@code oy*ow + ox} the input pixel {@code x[c, oy*sh + i
 * - padTop, ox*sw + j - padLeft]}, or 0 where that lies in the padding. Rows are ordered like the
 * kernel's {@code [O, C, kh, kw]} layout, so the convolution is {@code y [O, oh*ow] = W [O,
 * C*kh*kw] col}. col2im scatters a column matrix back, adding up the entries that came from the
 * same pixel: it is the transpose of im2col, which the input gradient needs.
 *
 * <p>Both stage one input plane at a time on the heap inside a zero border (so the copy loops have
 * no bounds tests; with stride 1 each output row is one {@code System.arraycopy}) and move whole
 * rows between the heap and the views.
 */
public final class Im2col {

    private static final int PADDED = 0;
    private static final int ROW = 1;
    private static final int PLANE = 2;

    private Im2col() {}

    /**
     * Writes the column matrix of the example at {@code x[xOffset ..]} to {@code col}, rows {@code
     * ldCol} floats apart starting at {@code col[colOffset]} ({@code ldCol = oh*ow} for a packed
     * matrix).
     */
    public static void im2col(ConvGeometry g, Buf x, int xOffset, Buf col, int colOffset, int ldCol) {
        int height = g.height();
        int width = g.width();
        int kh = g.kernelH();
        int kw = g.kernelW();
        int sh = g.strideH();
        int sw = g.strideW();
        int oh = g.outHeight();
        int ow = g.outWidth();
        int spatial = oh * ow;
        int paddedW = width + g.padLeft() + g.padRight();
        int paddedH = height + g.padTop() + g.padBottom();
        boolean padded = paddedW != width || paddedH != height;
        Staging s = Staging.get();
        float[] plane = s.floats(PLANE, height * width);
        float[] pad = padded ? s.floats(PADDED, paddedH * paddedW) : plane;
        float[] row = s.floats(ROW, spatial);
        FloatBuffer xs = x.data;
        FloatBuffer cs = col.data;
        if (padded) {
            Arrays.fill(pad, 0, paddedH * paddedW, 0f); // the border stays zero for every channel
        }
        for (int c = 0, r = 0; c < g.channels(); c++) {
            xs.get(xOffset + c * height * width, plane, 0, height * width);
            if (padded) {
                for (int y = 0; y < height; y++) {
                    System.arraycopy(plane, y * width, pad, (y + g.padTop()) * paddedW + g.padLeft(), width);
                }
            }
            for (int i = 0; i < kh; i++) {
                for (int j = 0; j < kw; j++, r++) {
                    if (sw == 1) {
                        for (int oy = 0; oy < oh; oy++) {
                            System.arraycopy(pad, (oy * sh + i) * paddedW + j, row, oy * ow, ow);
                        }
                    } else {
                        for (int oy = 0; oy < oh; oy++) {
                            int src = (oy * sh + i) * paddedW + j;
                            int dst = oy * ow;
                            for (int ox = 0; ox < ow; ox++) {
                                row[dst + ox] = pad[src + ox * sw];
                            }
                        }
                    }
                    cs.put(colOffset + r * ldCol, row, 0, spatial);
                }
            }
        }
    }

    /**
     * The adjoint of {@link #im2col}: {@code dx[xOffset ..] = col2im(col)}, or {@code +=} when
     * {@code accumulate}. Entries of {@code col} that fall in the padding are dropped.
     */
    public static void col2im(ConvGeometry g, Buf col, int colOffset, int ldCol, Buf dx, int xOffset,
            boolean accumulate) {
        int height = g.height();
        int width = g.width();
        int kh = g.kernelH();
        int kw = g.kernelW();
        int sh = g.strideH();
        int sw = g.strideW();
        int oh = g.outHeight();
        int ow = g.outWidth();
        int spatial = oh * ow;
        int paddedW = width + g.padLeft() + g.padRight();
        int paddedH = height + g.padTop() + g.padBottom();
        Staging s = Staging.get();
        float[] acc = s.floats(PADDED, paddedH * paddedW);
        float[] row = s.floats(ROW, spatial);
        float[] plane = s.floats(PLANE, height * width);
        FloatBuffer cs = col.data;
        FloatBuffer ds = dx.data;
        for (int c = 0, r = 0; c < g.channels(); c++) {
            Arrays.fill(acc, 0, paddedH * paddedW, 0f);
            for (int i = 0; i < kh; i++) {
                for (int j = 0; j < kw; j++, r++) {
                    cs.get(colOffset + r * ldCol, row, 0, spatial);
                    for (int oy = 0; oy < oh; oy++) {
                        int dst = (oy * sh + i) * paddedW + j;
                        int src = oy * ow;
                        if (sw == 1) {
                            for (int ox = 0; ox < ow; ox++) {
                                acc[dst + ox] += row[src + ox];
                            }
                        } else {
                            for (int ox = 0; ox < ow; ox++) {
                                acc[dst + ox * sw] += row[src + ox];
                            }
                        }
                    }
                }
            }
            int planeOffset = xOffset + c * height * width;
            if (accumulate) {
                ds.get(planeOffset, plane, 0, height * width);
                for (int y = 0; y < height; y++) {
                    int src = (y + g.padTop()) * paddedW + g.padLeft();
                    int dst = y * width;
                    for (int x = 0; x < width; x++) {
                        plane[dst + x] += acc[src + x];
                    }
                }
            } else {
                for (int y = 0; y < height; y++) {
                    System.arraycopy(acc, (y + g.padTop()) * paddedW + g.padLeft(), plane, y * width, width);
                }
            }
            ds.put(planeOffset, plane, 0, height * width);
        }
    }
}
