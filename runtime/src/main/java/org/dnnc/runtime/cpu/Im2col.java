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
 * <p>Both stage one input plane at a time on the heap and move whole rows between the heap and the
 * views: with stride 1 and an output as wide as the input, each row of the column matrix is one
 * run of the plane; otherwise the plane is first split into phase planes (per kernel column and
 * row phase, {@link PhasePlanes}), in which each row of the column matrix is one run. The group
 * variants lay the column matrices of several examples side by side, for one GEMM over all of them.
 *
 * <p>Against the gather table that the general path used before the phase planes (entry by entry,
 * {@code block[o] = plane[taken[t]]}, and {@code acc[taken[t]] += block[o]} for col2im), on the
 * {@code strided} network's 3x3 stride-2 shapes, 64 examples, one thread, CPU milliseconds, minimum
 * of 200 alternating rounds ({@code Im2colBench}, 2026-12-07, 2-core machine at load 5 to 9):
 * 1 to 32 channels on 28x28, im2col 0.080 -> 0.036, col2im 0.102 -> 0.061; 64 channels on 14x14,
 * one example per call 1.53 -> 0.82 and 1.91 -> 1.19, 32 per call 1.91 -> 1.43 and 2.61 -> 1.98;
 * 128 channels on 7x7, one per call 1.27 -> 0.79 and 2.05 -> 1.21, 32 per call 1.17 -> 0.92 and
 * 1.98 -> 1.35. im2col gives the same bits as before; col2im adds each pixel's terms in another
 * order ({@link #col2imGroup}).
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
        im2colGroup(g, x, xOffset, 1, col, colOffset, ldCol);
    }

    /**
     * Writes the column matrices of the {@code count} consecutive examples from {@code x[xOffset
     * ..]} side by side: example {@code e}'s occupies columns {@code [e*oh*ow, (e+1)*oh*ow)} of rows
     * {@code ldCol} floats apart from {@code col[colOffset]} ({@code ldCol >= count*oh*ow}), the
     * layout of one GEMM over several examples.
     */
    public static void im2colGroup(ConvGeometry g, Buf x, int xOffset, int count, Buf col, int colOffset,
            int ldCol) {
        int spatial = g.outHeight() * g.outWidth();
        if (isRowContiguous(g)) {
            for (int e = 0; e < count; e++) {
                im2colRows(g, x, xOffset + e * g.inputSize(), col, colOffset + e * spatial, ldCol);
            }
            return;
        }
        int planeSize = g.height() * g.width();
        int taps = g.kernelH() * g.kernelW();
        int groupWidth = count * spatial;
        PhasePlanes phases = PhasePlanes.of(g);
        Staging s = Staging.get();
        float[] plane = s.floats(PLANE, planeSize + 1);
        // One channel's rows of the whole group, written with one put per row (or one in all).
        float[] block = s.floats(ROW, taps * groupWidth);
        float[] planes = s.floats(PADDED, phases.size());
        FloatBuffer xs = x.data;
        FloatBuffer cs = col.data;
        plane[planeSize] = 0f; // what the padding's entries read; the planes fill only [0, planeSize)
        for (int c = 0; c < g.channels(); c++) {
            for (int e = 0; e < count; e++) {
                xs.get(xOffset + e * g.inputSize() + c * planeSize, plane, 0, planeSize);
                phases.split(plane, planes);
                phases.copyRuns(planes, block, e * spatial, groupWidth);
            }
            putRows(cs, colOffset + c * taps * ldCol, ldCol, block, taps, groupWidth);
        }
    }

    /**
     * The adjoint of {@link #im2col}: {@code dx[xOffset ..] = col2im(col)}, or {@code +=} when
     * {@code accumulate}. Entries of {@code col} that fall in the padding are dropped.
     */
    public static void col2im(ConvGeometry g, Buf col, int colOffset, int ldCol, Buf dx, int xOffset,
            boolean accumulate) {
        col2imGroup(g, col, colOffset, ldCol, 1, dx, xOffset, accumulate);
    }

    /**
     * The adjoint of {@link #im2colGroup}: the column matrices of {@code count} examples side by
     * side, scattered back into the consecutive examples from {@code dx[xOffset ..]} ({@code +=}
     * when {@code accumulate}).
     *
     * <p>On the row-contiguous path each pixel adds its entries in the order of the kernel taps.
     * On the general path ({@link PhasePlanes}) it adds, for each kernel column {@code j}, the
     * entries of its kernel rows in order, then those sums from the last kernel column of its phase
     * down (for a 3x3 kernel with stride 2, {@code (t00 + t20) + (t02 + t22)} where the taps were
     * added one by one), and adds the total to {@code dx} when accumulating: the same terms, rounded
     * in another order.
     */
    public static void col2imGroup(ConvGeometry g, Buf col, int colOffset, int ldCol, int count, Buf dx,
            int xOffset, boolean accumulate) {
        int spatial = g.outHeight() * g.outWidth();
        if (isRowContiguous(g)) {
            for (int e = 0; e < count; e++) {
                col2imRows(g, col, colOffset + e * spatial, ldCol, dx, xOffset + e * g.inputSize(), accumulate);
            }
            return;
        }
        int planeSize = g.height() * g.width();
        int taps = g.kernelH() * g.kernelW();
        int groupWidth = count * spatial;
        PhasePlanes phases = PhasePlanes.of(g);
        Staging s = Staging.get();
        float[] sums = s.floats(PADDED, phases.size());
        float[] block = s.floats(ROW, taps * groupWidth);
        // Scratch for folding the planes, then the plane their sums go to.
        float[] work = s.floats(PLANE, Math.max(phases.size(), planeSize));
        FloatBuffer cs = col.data;
        FloatBuffer ds = dx.data;
        for (int c = 0; c < g.channels(); c++) {
            int rows = colOffset + c * taps * ldCol;
            if (ldCol == groupWidth) {
                cs.get(rows, block, 0, taps * groupWidth);
            } else {
                for (int r = 0; r < taps; r++) {
                    cs.get(rows + r * ldCol, block, r * groupWidth, groupWidth);
                }
            }
            for (int e = 0; e < count; e++) {
                phases.sumRuns(block, e * spatial, groupWidth, sums);
                phases.fold(sums, work);
                int planeOffset = xOffset + e * g.inputSize() + c * planeSize;
                if (accumulate) {
                    ds.get(planeOffset, work, 0, planeSize);
                }
                phases.merge(sums, work, accumulate);
                ds.put(planeOffset, work, 0, planeSize);
            }
        }
    }

    /** Puts {@code rows} rows of {@code len} floats from {@code block} at {@code offset}, {@code ld} apart. */
    private static void putRows(FloatBuffer cs, int offset, int ld, float[] block, int rows, int len) {
        if (ld == len) {
            cs.put(offset, block, 0, rows * len);
            return;
        }
        for (int r = 0; r < rows; r++) {
            cs.put(offset + r * ld, block, r * len, len);
        }
    }

    /**
     * Whether a column-matrix row is one contiguous run of the input: stride 1 and an output as wide
     * as the input ({@code same} padding across). Then the input plane, padded above and below but
     * not at the sides, holds each row of the column matrix as {@code oh*ow} consecutive values
     * starting at {@code i*W + j - padLeft}; only the entries that fall into the side padding reach
     * a neighbouring row's pixel instead of 0, always in the same {@code |j - padLeft|} columns. So
     * each kernel column j gets its own copy of the plane (or accumulator) with those columns
     * cleared, and every row is a plain copy (or add) of one run, which vectorises, without the
     * phase planes of the general path ({@link PhasePlanes}). Against the general path of the time,
     * which moved one output row (14 floats in the CNN's second convolution) at a time: for that
     * convolution, 64 examples, one thread, im2col 5.0 -> 1.0 ms, col2im 7.8 -> 2.1 ms.
     */
    private static boolean isRowContiguous(ConvGeometry g) {
        return g.strideH() == 1 && g.strideW() == 1 && g.outWidth() == g.width();
    }

    /** The staged plane for the row-contiguous paths: {@code kw} floats of margin, then the rows. */
    private static int margin(ConvGeometry g) {
        return g.kernelW();
    }

    private static void im2colRows(ConvGeometry g, Buf x, int xOffset, Buf col, int colOffset, int ldCol) {
        int height = g.height();
        int width = g.width();
        int kh = g.kernelH();
        int kw = g.kernelW();
        int spatial = g.outHeight() * width;
        int planeSize = height * width;
        int staged = stagedSize(g);
        int base = margin(g) + g.padTop() * width;
        Staging s = Staging.get();
        // One staged plane per kernel column j, with the columns that row j's run would wrap into
        // cleared: then every row of the column matrix is a plain copy.
        float[] planes = s.floats(PADDED, kw * staged);
        FloatBuffer xs = x.data;
        FloatBuffer cs = col.data;
        Arrays.fill(planes, 0, kw * staged, 0f); // margins, and the rows above and below, stay zero
        for (int c = 0, r = 0; c < g.channels(); c++) {
            xs.get(xOffset + c * planeSize, planes, base, planeSize);
            for (int j = 1; j < kw; j++) {
                System.arraycopy(planes, base, planes, j * staged + base, planeSize);
            }
            for (int j = 0; j < kw; j++) {
                clearWrapped(planes, j * staged + base, height, width, j - g.padLeft());
            }
            for (int i = 0; i < kh; i++) {
                for (int j = 0; j < kw; j++, r++) {
                    cs.put(colOffset + r * ldCol, planes, runStart(g, staged, i, j), spatial);
                }
            }
        }
    }

    private static void col2imRows(ConvGeometry g, Buf col, int colOffset, int ldCol, Buf dx, int xOffset,
            boolean accumulate) {
        int height = g.height();
        int width = g.width();
        int kh = g.kernelH();
        int kw = g.kernelW();
        int spatial = g.outHeight() * width;
        int planeSize = height * width;
        int staged = stagedSize(g);
        int base = margin(g) + g.padTop() * width;
        Staging s = Staging.get();
        // One accumulator per kernel column j: the entries of row j's run that came from the side
        // padding land in columns of that accumulator which are cleared before the sum.
        float[] accs = s.floats(PADDED, kw * staged);
        float[] rows = s.floats(ROW, kw * staged);
        float[] plane = s.floats(PLANE, planeSize);
        FloatBuffer cs = col.data;
        FloatBuffer ds = dx.data;
        for (int c = 0, r = 0; c < g.channels(); c++) {
            Arrays.fill(accs, 0, kw * staged, 0f);
            for (int i = 0; i < kh; i++) {
                for (int j = 0; j < kw; j++, r++) {
                    int start = runStart(g, staged, i, j);
                    // Staged at the offset it is added to: with the same index on both sides the
                    // add vectorises (HotSpot gives up on a[i + k] += b[i], which could overlap).
                    cs.get(colOffset + r * ldCol, rows, start, spatial);
                    for (int p = start; p < start + spatial; p++) {
                        accs[p] += rows[p];
                    }
                }
            }
            for (int j = 0; j < kw; j++) {
                clearWrapped(accs, j * staged + base, height, width, j - g.padLeft());
            }
            int planeOffset = xOffset + c * planeSize;
            if (accumulate) {
                ds.get(planeOffset, plane, 0, planeSize);
            } else {
                Arrays.fill(plane, 0, planeSize, 0f);
            }
            for (int j = 0; j < kw; j++) {
                // Moved to index 0 first (into rows, free by now): HotSpot 17 vectorises the add only
                // with one index for both arrays.
                System.arraycopy(accs, j * staged + base, rows, 0, planeSize);
                for (int p = 0; p < planeSize; p++) {
                    plane[p] += rows[p];
                }
            }
            ds.put(planeOffset, plane, 0, planeSize);
        }
    }

    /**
     * Where, in kernel column {@code j}'s staged plane (planes {@code staged} floats apart), the run of
     * column-matrix row {@code (i, j)} starts: row {@code i} of the padded plane, shifted by {@code j -
     * padLeft}.
     */
    private static int runStart(ConvGeometry g, int staged, int i, int j) {
        return j * staged + margin(g) + i * g.width() + j - g.padLeft();
    }

    /** Floats of one staged plane: a margin, the padded rows at the input's width, another margin. */
    private static int stagedSize(ConvGeometry g) {
        return margin(g) + (g.height() + g.padTop() + g.padBottom()) * g.width() + g.kernelW();
    }

    /**
     * Zeroes, in the {@code height} rows of {@code width} from {@code a[offset]}, the columns that a
     * run shifted by {@code shift} reads or writes in place of the side padding: the last {@code
     * -shift} columns of each row when the shift is negative (they are reached from the next row's
     * start), the first {@code shift} when it is positive.
     */
    private static void clearWrapped(float[] a, int offset, int height, int width, int shift) {
        int from = shift < 0 ? Math.max(0, width + shift) : 0;
        int to = shift < 0 ? width : Math.min(width, shift);
        int end = offset + height * width;
        // One or two columns for the usual kernels (3x3, 5x5): written out, since a loop of one or
        // two iterations per row costs more than the stores.
        switch (to - from) {
            case 0 -> { }
            case 1 -> {
                for (int o = offset + from; o < end; o += width) {
                    a[o] = 0f;
                }
            }
            case 2 -> {
                for (int o = offset + from; o < end; o += width) {
                    a[o] = 0f;
                    a[o + 1] = 0f;
                }
            }
            default -> {
                for (int o = offset + from; o < end; o += width) {
                    Arrays.fill(a, o, o + to - from, 0f);
                }
            }
        }
    }
}
