package org.dnnc.runtime.cpu;

import java.util.Arrays;

/**
 * The phase planes from which {@link Im2col}'s general path (a stride above 1, or an output
 * narrower than the input) reads each row of the column matrix as one run.
 *
 * <p>For kernel column {@code j} and row phase {@code p < min(sh, kh)}, plane {@code (j, p)} holds
 * the padded input's rows {@code p, p + sh, ...} ({@code oh + (kh - 1) / sh} of them, from padded
 * row 0), each sampled at the {@code ow} columns {@code j - padLeft, j - padLeft + sw, ...}, with 0
 * for the padding. Column-matrix row {@code (i, j)} is then the {@code oh*ow} floats of plane
 * {@code (j, i mod sh)} from its row {@code i / sh}: one copy per kernel tap (im2col), or one
 * copy or vectorised add (col2im), where a gather table moved the column matrix entry by entry.
 *
 * <p>The planes of the first {@code min(sw, kw)} kernel columns are gathered from the input plane
 * in one flat loop through an index table, each input pixel at most once; the plane of kernel column
 * {@code j >= sw} is that of {@code j - sw} moved one column left, so it is one copy, plus its last
 * column, gathered through a second table. col2im runs the same steps backwards: it folds each
 * derived plane's sums into its source plane (moved one column right), then gathers each input
 * pixel's sum through a third table. The first two tables send the padding to a zero cell just past
 * the input plane.
 */
final class PhasePlanes {

    /** Shapes kept per thread: a network's strided layers alternate, forward and backward. */
    private static final int CACHED = 16;

    private static final ThreadLocal<PhasePlanes[]> CACHE = ThreadLocal.withInitial(() -> new PhasePlanes[CACHED]);

    private final ConvGeometry geometry;
    private final int kernelW;
    private final int strideW;
    private final int outWidth;
    /** Floats of one plane: {@code oh + (kh - 1) / sh} rows of {@code ow}. */
    private final int phaseFloats;
    /** Floats of the planes of one kernel column: its row phases' rows, {@code ow} floats each. */
    private final int columnFloats;
    /** Kernel columns whose planes are gathered: {@code min(sw, kw)}. */
    private final int gathered;
    /** Rows of one kernel column's planes (all row phases), each with a last column to gather. */
    private final int rows;
    /** Where each gathered entry comes from in the input plane, or {@code H*W} in the padding. */
    private final int[] taken;
    /** Where the last column of each derived kernel column's rows comes from, likewise. */
    private final int[] edges;
    /**
     * For each input pixel, where col2im finds its sum after {@link #fold}: a gathered plane's
     * entry, a last column's, or the zero cell at the end.
     */
    private final int[] sources;
    /** Where each kernel tap's run starts. */
    private final int[] runs;

    private PhasePlanes(ConvGeometry g) {
        geometry = g;
        kernelW = g.kernelW();
        strideW = g.strideW();
        outWidth = g.outWidth();
        int rowPhases = Math.min(g.strideH(), g.kernelH());
        int phaseRows = g.outHeight() + (g.kernelH() - 1) / g.strideH();
        rows = rowPhases * phaseRows;
        phaseFloats = phaseRows * outWidth;
        columnFloats = rows * outWidth;
        gathered = Math.min(strideW, kernelW);
        taken = new int[gathered * columnFloats];
        edges = new int[(kernelW - gathered) * rows];
        for (int j = 0, t = 0, u = 0; j < kernelW; j++) {
            for (int p = 0; p < rowPhases; p++) {
                for (int a = 0; a < phaseRows; a++) {
                    int y = a * g.strideH() + p - g.padTop();
                    if (j < gathered) {
                        for (int ox = 0; ox < outWidth; ox++) {
                            taken[t++] = pixel(g, y, ox * strideW + j - g.padLeft());
                        }
                    } else {
                        edges[u++] = pixel(g, y, (outWidth - 1) * strideW + j - g.padLeft());
                    }
                }
            }
        }
        int edgeStart = kernelW * columnFloats;
        sources = new int[g.height() * g.width()];
        Arrays.fill(sources, edgeStart + edges.length);
        for (int k = 0; k < taken.length; k++) {
            if (taken[k] < sources.length) {
                sources[taken[k]] = k;
            }
        }
        for (int u = 0; u < edges.length; u++) {
            if (edges[u] < sources.length) {
                sources[edges[u]] = edgeStart + u;
            }
        }
        runs = new int[g.kernelH() * kernelW];
        for (int i = 0, r = 0; i < g.kernelH(); i++) {
            for (int j = 0; j < kernelW; j++, r++) {
                runs[r] = j * columnFloats + ((i % g.strideH()) * phaseRows + i / g.strideH()) * outWidth;
            }
        }
    }

    /** This thread's planes for {@code g}, built on first use and kept for the last few shapes. */
    static PhasePlanes of(ConvGeometry g) {
        PhasePlanes[] cache = CACHE.get();
        for (PhasePlanes planes : cache) {
            if (planes != null && planes.geometry.equals(g)) {
                return planes;
            }
        }
        PhasePlanes planes = new PhasePlanes(g);
        System.arraycopy(cache, 0, cache, 1, CACHED - 1);
        cache[0] = planes;
        return planes;
    }

    /**
     * Floats of the staged planes, plus, for col2im, the derived kernel columns' last columns and a
     * zero for the pixels that no tap reaches.
     */
    int size() {
        return kernelW * columnFloats + edges.length + 1;
    }

    /**
     * Copies each kernel tap's run from the planes to its row of {@code block}, the rows {@code
     * rowStride} floats apart from {@code block[offset]}.
     */
    void copyRuns(float[] planes, float[] block, int offset, int rowStride) {
        int spatial = geometry.outHeight() * outWidth;
        for (int r = 0; r < runs.length; r++) {
            System.arraycopy(planes, runs[r], block, offset + r * rowStride, spatial);
        }
    }

    /**
     * The adjoint of {@link #copyRuns}: sums each kernel tap's row of {@code block} into its run of
     * the planes {@code sums}, which it clears first.
     */
    void sumRuns(float[] block, int offset, int rowStride, float[] sums) {
        int spatial = geometry.outHeight() * outWidth;
        for (int i = 0, r = 0; i < geometry.kernelH(); i++) {
            for (int j = 0; j < kernelW; j++, r++) {
                int start = runs[r];
                int from = offset + r * rowStride;
                if (i < geometry.strideH()) {
                    // The first run into its plane, from the plane's first row: copied, and the
                    // rows below it cleared for the next kernel rows' runs to add to.
                    System.arraycopy(block, from, sums, start, spatial);
                    Arrays.fill(sums, start + spatial, start + phaseFloats, 0f);
                } else {
                    for (int p = start, q = from; p < start + spatial; p++, q++) {
                        sums[p] += block[q];
                    }
                }
            }
        }
    }

    /**
     * Fills the planes from one input plane of {@code H*W} floats followed by a zero, which the
     * padding's entries copy.
     */
    void split(float[] plane, float[] planes) {
        for (int k = 0; k < taken.length; k++) {
            planes[k] = plane[taken[k]];
        }
        for (int j = gathered, u = 0; j < kernelW; j++) {
            int to = j * columnFloats;
            // Each row's last entry gets the next row's first here, and its own value below.
            System.arraycopy(planes, to - strideW * columnFloats + 1, planes, to, columnFloats - 1);
            for (int row = 0, last = to + outWidth - 1; row < rows; row++, u++, last += outWidth) {
                planes[last] = plane[edges[u]];
            }
        }
    }

    /**
     * The first half of {@link #split}'s adjoint: adds each derived kernel column's sums into its
     * source column's, from the last kernel column down (so chains of them add up), after moving
     * their last columns past the planes for {@link #merge}. {@code work} is scratch of {@link
     * #size} floats.
     */
    void fold(float[] sums, float[] work) {
        int edgeStart = kernelW * columnFloats;
        for (int j = kernelW - 1; j >= gathered; j--) {
            int from = j * columnFloats;
            int to = from - strideW * columnFloats + 1;
            int u = edgeStart + (j - gathered) * rows;
            for (int row = 0, last = from + outWidth - 1; row < rows; row++, u++, last += outWidth) {
                sums[u] = sums[last];
                sums[last] = 0f; // or it would land on the next row's first entry
            }
            System.arraycopy(sums, from, work, to, columnFloats - 1);
            // Staged at the index it is added to: with the same index on both sides the add
            // vectorises (HotSpot gives up on a[i + k] += a[i], which could overlap).
            for (int p = to; p < to + columnFloats - 1; p++) {
                sums[p] += work[p];
            }
        }
    }

    /**
     * The second half of {@link #split}'s adjoint, after {@link #fold}: gathers each pixel's sum
     * into {@code plane}, or adds it to the pixel when {@code accumulate}. No two entries of the
     * planes and last columns belong to the same pixel, so each pixel reads one, or the zero cell.
     */
    void merge(float[] sums, float[] plane, boolean accumulate) {
        sums[size() - 1] = 0f;
        if (accumulate) {
            for (int p = 0; p < sources.length; p++) {
                plane[p] += sums[sources[p]];
            }
        } else {
            for (int p = 0; p < sources.length; p++) {
                plane[p] = sums[sources[p]];
            }
        }
    }

    private static int pixel(ConvGeometry g, int y, int x) {
        boolean inside = y >= 0 && y < g.height() && x >= 0 && x < g.width();
        return inside ? y * g.width() + x : g.height() * g.width();
    }
}
