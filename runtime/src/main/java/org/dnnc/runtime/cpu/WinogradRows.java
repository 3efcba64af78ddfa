package org.dnnc.runtime.cpu;

import java.nio.FloatBuffer;
import java.util.Arrays;

/**
 * Stride-1 convolutions with kernels 3 or 5 wide through the one-dimensional Winograd algorithm
 * {@code F(4, r)} along each row: {@code 4 + r - 1} multiplications give four outputs of an
 * {@code r}-tap row filter, against {@code 4 r} directly, so a 5-wide kernel needs 2.5x fewer
 * multiplications and a 3-wide one 2x fewer. Kernel rows and input channels stay a plain sum.
 *
 * <p>Per example, each input row is cut into tiles of {@code alpha = r + 3} values, 4 apart, and
 * each tile transformed ({@code B^T d}); the kernel's rows are transformed once per call ({@code
 * G g}). For each of the {@code alpha} transformed points this leaves one GEMM {@code M [O, tiles]
 * = U [O, C*kh] V [C*kh, tiles]}, summing channels and kernel rows (im2col's GEMM sums {@code
 * C*kh*kw}). The output transform ({@code A^T m})
 * turns each tile's {@code alpha} products into 4 outputs. Transforms run over whole arrays on the
 * heap, where HotSpot vectorises them; only the GEMM operands live in the native scratch.
 *
 * <p>The gradients follow from {@code y = A^T [(G g) ⊙ (B^T d)]} being bilinear: the kernel's is
 * {@code G^T [(A dy) ⊙ (B^T d)]} summed over tiles (one GEMM per point over the batch's tiles),
 * the input's {@code B [(G g) ⊙ (A dy)]} (one GEMM per point over the filters, then tiles added
 * back where they overlap). An input gradient with few filters runs instead as the forward
 * algorithm on the transposed convolution (flipped kernel, output gradient as input).
 *
 * <p>Only 1-d: a 2-d {@code F(2x2, 5x5)} would save more multiplications, but its GEMMs would sum
 * over the channels alone (16 for the second convolution of the Fashion-MNIST CNN), where OpenBLAS
 * runs at about two thirds of its speed for these shapes, and its transforms cost more. Rows also keep the rounding error small:
 * the points are {@code 0, ±1, ±2, ±1/2} and infinity.
 *
 * <p>Works in the scratch that {@link Conv2d#scratchFloats(ConvGeometry, int)} provides for
 * im2col: the transformed kernel first, then per thread as many output rows of an example as fit.
 * {@link #forwardPlan}, {@link #inputGradientPlan} and {@link #weightGradientPlan} return {@code
 * null} when that is too little, or when im2col measured faster for the shape, and the caller then
 * uses im2col.
 */
final class WinogradRows {

    /** Outputs per tile. */
    static final int TILE = 4;

    /** The smallest GEMM depth ({@code C * kh}) worth transforming for: below it OpenBLAS is slow anyway. */
    private static final int MIN_DEPTH = 32;

    /** Fewer tiles than this per GEMM run too slowly to beat im2col. */
    static final int MIN_TILES = 16;

    /**
     * Tiles per example from which the algorithm pays for any depth and filter count. Below it,
     * only 5-wide kernels with at least {@link #WIDE_FILTERS} filters do. Measured per 32 examples
     * on one thread (im2col against this class): 5x5, 16 to 32 channels, 14x14 (56 tiles): forward
     * 4.07 to 3.1 ms, input gradient 4.2 to 3.3 ms (adjoint; transposed 4.9), kernel gradient 3.8 to
     * 2.8 ms; 3x3, 16 to 16 channels, 28x28 (196 tiles): forward 4.45 to 3.7 ms, input gradient 4.9
     * to 3.6 ms (transposed; adjoint 4.3), kernel gradient 4.9 to 3.9 ms; 3x3, 32 to 32 channels,
     * 14x14: forward 3.05 to 3.6 ms, input gradient 3.0 to 3.3 ms, kernel gradient 2.8 to 2.8 ms.
     */
    private static final int MANY_TILES = 128;

    /** See {@link #MANY_TILES}. */
    private static final int WIDE_FILTERS = 32;

    // F(4, 5) on the points 0, 1, -1, 2, -2, 1/2, -1/2 and infinity; the 1/f_j scaling is in G.
    private static final Transform R5 = new Transform(5, new float[][] {
        {1, 1, 1, 1, 1, 1, 1, 0},
        {0, 1, -1, 2, -2, 1 / 2f, -1 / 2f, 0},
        {0, 1, 1, 4, 4, 1 / 4f, 1 / 4f, 0},
        {0, 1, -1, 8, -8, 1 / 8f, -1 / 8f, 1},
    }, new double[][] {
        {-1, 0, 0, 0, 0},
        {-2 / 9d, -2 / 9d, -2 / 9d, -2 / 9d, -2 / 9d},
        {-2 / 9d, 2 / 9d, -2 / 9d, 2 / 9d, -2 / 9d},
        {1 / 90d, 1 / 45d, 2 / 45d, 4 / 45d, 8 / 45d},
        {1 / 90d, -1 / 45d, 2 / 45d, -4 / 45d, 8 / 45d},
        {32 / 45d, 16 / 45d, 8 / 45d, 4 / 45d, 2 / 45d},
        {32 / 45d, -16 / 45d, 8 / 45d, -4 / 45d, 2 / 45d},
        {0, 0, 0, 0, 1},
    }, new float[][] {
        {-1, 0, 21 / 4f, 0, -21 / 4f, 0, 1, 0},
        {0, 1, 1, -17 / 4f, -17 / 4f, 1, 1, 0},
        {0, -1, 1, 17 / 4f, -17 / 4f, -1, 1, 0},
        {0, 1 / 2f, 1 / 4f, -5 / 2f, -5 / 4f, 2, 1, 0},
        {0, -1 / 2f, 1 / 4f, 5 / 2f, -5 / 4f, -2, 1, 0},
        {0, 2, 4, -5 / 2f, -5, 1 / 2f, 1, 0},
        {0, -2, 4, 5 / 2f, -5, -1 / 2f, 1, 0},
        {0, -1, 0, 21 / 4f, 0, -21 / 4f, 0, 1},
    });

    // F(4, 3) on the points 0, 1, -1, 2, -2 and infinity.
    private static final Transform R3 = new Transform(3, new float[][] {
        {1, 1, 1, 1, 1, 0},
        {0, 1, -1, 2, -2, 0},
        {0, 1, 1, 4, 4, 0},
        {0, 1, -1, 8, -8, 1},
    }, new double[][] {
        {1 / 4d, 0, 0},
        {-1 / 6d, -1 / 6d, -1 / 6d},
        {-1 / 6d, 1 / 6d, -1 / 6d},
        {1 / 24d, 1 / 12d, 1 / 6d},
        {1 / 24d, -1 / 12d, 1 / 6d},
        {0, 0, 1},
    }, new float[][] {
        {4, 0, -5, 0, 1, 0},
        {0, -4, -4, 1, 1, 0},
        {0, 4, -4, -1, 1, 0},
        {0, -2, -1, 2, 1, 0},
        {0, 2, -1, -2, 1, 0},
        {0, 4, 0, -5, 0, 1},
    });

    private static final ThreadLocal<Work> WORK = ThreadLocal.withInitial(Work::new);
    private static final ThreadLocal<Job> JOB = ThreadLocal.withInitial(Job::new);
    private static final ThreadLocal<Plan> PLAN = ThreadLocal.withInitial(Plan::new);

    private WinogradRows() {}

    /**
     * The three matrices of {@code F(4, r)}: {@code y = A^T [(G g) ⊙ (B^T d)]}; {@code a} and {@code
     * b} are {@code A} and {@code B}, which the gradients apply.
     */
    private record Transform(int r, float[][] at, double[][] g, float[][] bt, float[][] a, float[][] b) {
        Transform(int r, float[][] at, double[][] g, float[][] bt) {
            this(r, at, g, bt, transpose(at), transpose(bt));
        }

        int alpha() {
            return TILE + r - 1;
        }

        private static float[][] transpose(float[][] m) {
            float[][] t = new float[m[0].length][m.length];
            for (int i = 0; i < m.length; i++) {
                for (int j = 0; j < m[0].length; j++) {
                    t[j][i] = m[i][j];
                }
            }
            return t;
        }
    }

    /**
     * How one call runs: the convolution computed (the forward one, or for an input gradient its
     * transpose), whether its kernel is the forward kernel flipped and transposed, the threads, and
     * the output rows of an example per chunk. One per thread, reused, so a call allocates nothing.
     */
    static final class Plan {
        private Transform transform;
        private boolean flipped;
        private boolean weights;
        private boolean adjoint;
        private int channels;
        private int height;
        private int width;
        private int filters;
        private int kh;
        private int padTop;
        private int padLeft;
        private int outHeight;
        private int outWidth;
        private int threads;
        private int rowsPerChunk;

        /** The convolution over {@code channels x height x width} with stride 1; false if the algorithm does not apply. */
        private boolean set(boolean flipped, int channels, int height, int width, int filters, int kh, int kw,
                int padTop, int padLeft, int padBottom, int padRight) {
            if (kw != 3 && kw != 5 || channels * kh < MIN_DEPTH) {
                return false;
            }
            this.transform = kw == 5 ? R5 : R3;
            this.flipped = flipped;
            this.weights = false;
            this.adjoint = false;
            this.channels = channels;
            this.height = height;
            this.width = width;
            this.filters = filters;
            this.kh = kh;
            this.padTop = padTop;
            this.padLeft = padLeft;
            this.outHeight = height + padTop + padBottom - kh + 1;
            this.outWidth = width + padLeft + padRight - kw + 1;
            return outHeight >= 1 && outWidth >= TILE;
        }

        /** See {@link #MANY_TILES}. */
        private boolean pays() {
            return outHeight * tilesX() >= MANY_TILES || transform == R5 && filters >= WIDE_FILTERS;
        }

        int threads() {
            return threads;
        }

        /** Whether this is an input gradient computed as the adjoint of the forward algorithm. */
        boolean adjoint() {
            return adjoint;
        }

        int rowsPerChunk() {
            return rowsPerChunk;
        }

        int tilesX() {
            return (outWidth + TILE - 1) / TILE;
        }

        int depth() {
            return channels * kh;
        }

        int kernelFloats() {
            return transform.alpha() * filters * depth();
        }

        /**
         * One output row's share of a thread's region: its transformed input, and its products (or
         * for the weight gradient, its transformed output gradient).
         */
        int rowFloats() {
            return transform.alpha() * (depth() + filters) * tilesX();
        }

        /** Floats before the threads' regions: the transformed kernel, which the weight gradient does not use. */
        private int shared() {
            return weights ? 0 : kernelFloats();
        }

        /** A thread's region: the weight gradient's own transformed sums, then its rows. */
        private int regionFloats() {
            return (weights ? kernelFloats() : 0) + rowsPerChunk * rowFloats();
        }
    }

    /**
     * This thread's plan for {@code y = conv(x, w)} with this scratch and batch, or {@code null}
     * when im2col should run it.
     */
    static Plan forwardPlan(ConvGeometry g, Buf scratch, int batch) {
        return forwardPlan(g, scratch, batch, false);
    }

    /** {@link #forwardPlan}, also where im2col is faster when {@code evenIfSlower} (for tests of odd shapes). */
    static Plan forwardPlan(ConvGeometry g, Buf scratch, int batch, boolean evenIfSlower) {
        Plan p = PLAN.get();
        if (g.strideH() != 1 || g.strideW() != 1 || !p.set(false, g.channels(), g.height(), g.width(), g.filters(),
                g.kernelH(), g.kernelW(), g.padTop(), g.padLeft(), g.padBottom(), g.padRight())) {
            return null;
        }
        return evenIfSlower || p.pays() ? fit(p, scratch, batch) : null;
    }

    /**
     * This thread's plan for the input gradient of {@code g}, or {@code null} when col2im should run
     * it. That gradient is a stride-1 convolution of the output gradient ({@code filters} channels,
     * {@code oh x ow}) with {@code channels} filters, the kernel flipped, and the padding that brings
     * the size back to the input's ({@code k - 1 - pad} on each side).
     */
    static Plan inputGradientPlan(ConvGeometry g, Buf scratch, int batch) {
        return inputGradientPlan(g, scratch, batch, false);
    }

    /** {@link #inputGradientPlan}, also where col2im is faster when {@code evenIfSlower}. */
    static Plan inputGradientPlan(ConvGeometry g, Buf scratch, int batch, boolean evenIfSlower) {
        Plan adjoint = adjointPlan(g, scratch, batch, evenIfSlower);
        return adjoint != null ? adjoint : transposedPlan(g, scratch, batch, evenIfSlower);
    }

    /**
     * The input gradient as the adjoint of the forward algorithm, {@code dd = B [U^T (A dy)]} per
     * tile, over the forward geometry. Its GEMMs sum over the filters, so it needs at least {@link
     * #WIDE_FILTERS} of them; then it beats the transposed convolution, whose GEMMs have as few rows
     * as the forward convolution has channels.
     */
    static Plan adjointPlan(ConvGeometry g, Buf scratch, int batch, boolean evenIfSlower) {
        Plan p = PLAN.get();
        if (g.strideH() != 1 || g.strideW() != 1 || !p.set(false, g.channels(), g.height(), g.width(), g.filters(),
                g.kernelH(), g.kernelW(), g.padTop(), g.padLeft(), g.padBottom(), g.padRight())) {
            return null;
        }
        p.adjoint = true;
        return evenIfSlower || g.filters() >= WIDE_FILTERS && p.pays() ? fit(p, scratch, batch) : null;
    }

    /**
     * The input gradient as a forward convolution of the output gradient ({@code filters}
     * channels, {@code oh x ow}) with {@code channels} filters, the kernel flipped, and the padding
     * that brings the size back to the input's ({@code k - 1 - pad} on each side).
     */
    static Plan transposedPlan(ConvGeometry g, Buf scratch, int batch, boolean evenIfSlower) {
        int kh = g.kernelH();
        int kw = g.kernelW();
        if (g.strideH() != 1 || g.strideW() != 1 || g.padTop() >= kh || g.padBottom() >= kh || g.padLeft() >= kw
                || g.padRight() >= kw) {
            return null;
        }
        Plan p = PLAN.get();
        if (!p.set(true, g.filters(), g.outHeight(), g.outWidth(), g.channels(), kh, kw, kh - 1 - g.padTop(),
                kw - 1 - g.padLeft(), kh - 1 - g.padBottom(), kw - 1 - g.padRight())) {
            return null;
        }
        return evenIfSlower || p.pays() ? fit(p, scratch, batch) : null;
    }

    /**
     * This thread's plan for the kernel gradient of {@code g}, or {@code null} when im2col should
     * run it. It sums, per transformed point, the transformed output gradient against the same
     * transformed input as the forward pass: {@code dg = G^T [(A dy) ⊙ (B^T d)]} for each tile.
     */
    static Plan weightGradientPlan(ConvGeometry g, Buf scratch, int batch) {
        return weightGradientPlan(g, scratch, batch, false);
    }

    /** {@link #weightGradientPlan}, also where im2col is faster when {@code evenIfSlower}. */
    static Plan weightGradientPlan(ConvGeometry g, Buf scratch, int batch, boolean evenIfSlower) {
        Plan p = PLAN.get();
        if (batch < 1 || g.strideH() != 1 || g.strideW() != 1 || !p.set(false, g.channels(), g.height(), g.width(),
                g.filters(), g.kernelH(), g.kernelW(), g.padTop(), g.padLeft(), g.padBottom(), g.padRight())) {
            return null;
        }
        p.weights = true;
        return evenIfSlower || p.pays() ? fit(p, scratch, batch) : null;
    }

    /** Picks threads and rows per chunk that fit the scratch, or {@code null} if too few rows fit to pay. */
    private static Plan fit(Plan p, Buf scratch, int batch) {
        if (scratch == null) {
            return null;
        }
        int most = Workers.threads() >= 2 && batch >= 2 ? 2 : 1;
        for (int threads = most; threads >= 1; threads--) {
            long region = (scratch.size - (long) p.shared()) / threads - (p.weights ? p.kernelFloats() : 0);
            int rows = (int) Math.min(p.outHeight, Math.max(0, region / p.rowFloats()));
            if (rows >= 1 && (rows == p.outHeight || rows * p.tilesX() >= MIN_TILES)) {
                int chunks = (p.outHeight + rows - 1) / rows;
                p.threads = threads;
                p.rowsPerChunk = (p.outHeight + chunks - 1) / chunks;
                return p;
            }
        }
        return null;
    }

    /**
     * Runs {@code plan}: {@code out = act(conv(in, w) + bias)}, or {@code out += conv(in, w)} when
     * {@code accumulate} (then without bias or activation). For a flipped plan {@code w} is the
     * forward kernel {@code [C, O, kh, kw]} of the convolution whose input gradient this is.
     */
    static void run(Plan plan, Buf in, Buf w, Buf bias, Buf out, Buf scratch, int batch, Activation act, float param,
            boolean accumulate) {
        transformKernel(plan, w, scratch);
        if (plan.threads() == 2) {
            Job job = JOB.get();
            job.set(plan, in, bias, out, scratch, batch, act, param, accumulate);
            try {
                Workers.runTwo(job);
            } finally {
                job.set(null, null, null, null, null, 0, null, 0f, false);
            }
        } else {
            range(plan, in, bias, out, scratch, plan.shared(), 0, batch, act, param, accumulate);
        }
    }

    /**
     * Runs a weight-gradient plan: {@code dw = sum_n dW(dy_n, x_n)} ({@code dw +=} when {@code
     * accumulate}) for {@code dy [N, O, oh, ow]} and {@code x [N, C, H, W]}. Each thread sums its
     * examples' products per transformed point in its own region; the points are then summed
     * through {@code G^T} in double into the kernel's layout.
     */
    static void runWeights(Plan plan, Buf dy, Buf x, Buf dw, Buf scratch, int batch, boolean accumulate) {
        if (plan.threads() == 2) {
            Job job = JOB.get();
            job.set(plan, x, null, dy, scratch, batch, Activation.IDENTITY, 0f, false);
            try {
                Workers.runTwo(job);
            } finally {
                job.set(null, null, null, null, null, 0, null, 0f, false);
            }
        } else {
            weightRange(plan, x, dy, scratch, plan.shared(), 0, batch);
        }
        Transform t = plan.transform;
        int alpha = t.alpha();
        int r = t.r();
        int filters = plan.filters;
        int depth = plan.depth();
        int sums = plan.kernelFloats();
        Work work = WORK.get();
        float[] p = work.transformed(sums);
        scratch.data.get(plan.shared(), p, 0, sums);
        if (plan.threads() == 2) {
            float[] q = work.kernel(sums);
            scratch.data.get(plan.shared() + plan.regionFloats(), q, 0, sums);
            for (int i = 0; i < sums; i++) {
                p[i] += q[i];
            }
        }
        int size = filters * depth * r;
        float[] kernel = work.staged(size);
        if (accumulate) {
            dw.data.get(0, kernel, 0, size);
        }
        for (int o = 0; o < filters; o++) {
            for (int row = 0; row < depth; row++) {
                // Sums are [alpha][C*kh][O]; the kernel is [O][C][kh][r].
                for (int k = 0; k < r; k++) {
                    double sum = 0;
                    for (int xi = 0; xi < alpha; xi++) {
                        sum += t.g()[xi][k] * p[(xi * depth + row) * filters + o];
                    }
                    int at = (o * depth + row) * r + k;
                    kernel[at] = (float) (accumulate ? kernel[at] + sum : sum);
                }
            }
        }
        dw.data.put(0, kernel, 0, size);
    }

    /** The transformed sums of examples {@code [from, to)} in the region at {@code region}: {@code P [alpha][C*kh][O]}. */
    private static void weightRange(Plan plan, Buf x, Buf dy, Buf scratch, int region, int from, int to) {
        int oh = plan.outHeight;
        int sums = region;
        int rowsAt = region + plan.kernelFloats();
        boolean first = true;
        for (int n = from; n < to; n++) {
            for (int y0 = 0; y0 < oh; y0 += plan.rowsPerChunk()) {
                weightChunk(plan, x, dy, n, y0, Math.min(oh, y0 + plan.rowsPerChunk()), scratch, sums, rowsAt, first);
                first = false;
            }
        }
    }

    /** Adds the products of output rows {@code [y0, y1)} of example {@code n} to the sums at {@code sums}. */
    private static void weightChunk(Plan plan, Buf x, Buf dy, int n, int y0, int y1, Buf scratch, int sums,
            int rowsAt, boolean first) {
        Transform t = plan.transform;
        int alpha = t.alpha();
        int filters = plan.filters;
        int tilesX = plan.tilesX();
        int depth = plan.depth();
        int rows = y1 - y0;
        int tiles = rows * tilesX;
        int vOffset = rowsAt;
        int gOffset = rowsAt + alpha * depth * tiles;
        transformInput(plan, x, n, y0, y1, scratch, vOffset);
        transformGradient(plan, dy, n, y0, y1, scratch, gOffset);
        for (int xi = 0; xi < alpha; xi++) {
            Blas.sgemm(false, true, depth, filters, tiles, 1f, scratch, vOffset + xi * depth * tiles, tiles, scratch,
                    gOffset + xi * filters * tiles, tiles, first ? 0f : 1f, scratch, sums + xi * depth * filters, filters);
        }
    }

    /**
     * {@code DY [alpha][O][tiles]} of output rows {@code [y0, y1)} of example {@code n} at {@code
     * scratch[gOffset ..]}: each tile of 4 output gradients (zero past the row's end) through {@code A}.
     */
    private static void transformGradient(Plan plan, Buf dy, int n, int y0, int y1, Buf scratch, int gOffset) {
        Transform t = plan.transform;
        int alpha = t.alpha();
        int filters = plan.filters;
        int tilesX = plan.tilesX();
        int rows = y1 - y0;
        int count = filters * rows * tilesX;
        Work work = WORK.get();
        int ow = plan.outWidth;
        float[][] e = work.products(TILE, count);
        float[][] dg = work.outputs(alpha, count);
        float[] row = work.row(TILE * tilesX);
        float[] staged = work.old(rows * ow);
        FloatBuffer ds = dy.data;
        int plane = plan.outHeight * ow;
        for (int o = 0; o < filters; o++) {
            ds.get((n * filters + o) * plane + y0 * ow, staged, 0, rows * ow);
            for (int yl = 0; yl < rows; yl++) {
                System.arraycopy(staged, yl * ow, row, 0, ow);
                unscatter(row, e, (o * rows + yl) * tilesX, tilesX);
            }
        }
        combine(t.a(), e, dg, count);
        FloatBuffer ss = scratch.data;
        for (int xi = 0; xi < alpha; xi++) {
            ss.put(gOffset + xi * count, dg[xi], 0, count);
        }
    }

    /**
     * The input gradient of example {@code n} by the adjoint plan, chunk by chunk of output rows
     * into a staged copy of the example's gradient (chunks overlap in the input rows they reach).
     */
    private static void adjointExample(Plan plan, Buf dy, int n, Buf dx, Buf scratch, int region,
            boolean accumulate) {
        int size = plan.channels * plan.height * plan.width;
        float[] acc = WORK.get().staged(size);
        if (accumulate) {
            dx.data.get(n * size, acc, 0, size);
        } else {
            Arrays.fill(acc, 0, size, 0f);
        }
        for (int y0 = 0; y0 < plan.outHeight; y0 += plan.rowsPerChunk()) {
            adjointChunk(plan, dy, n, y0, Math.min(plan.outHeight, y0 + plan.rowsPerChunk()), acc, scratch, region);
        }
        dx.data.put(n * size, acc, 0, size);
    }

    /**
     * Adds what output rows {@code [y0, y1)} of example {@code n} contribute to the input gradient
     * {@code acc [C, H, W]}: {@code dV = U^T DY} per point, summed over kernel rows per input row
     * (the transform is linear, so once per input row rather than once per kernel row), through
     * {@code B}, and each tile's {@code alpha} values added at its place in the row.
     */
    private static void adjointChunk(Plan plan, Buf dy, int n, int y0, int y1, float[] acc, Buf scratch,
            int region) {
        Transform t = plan.transform;
        int alpha = t.alpha();
        int height = plan.height;
        int width = plan.width;
        int kh = plan.kh;
        int pt = plan.padTop;
        int channels = plan.channels;
        int filters = plan.filters;
        int tilesX = plan.tilesX();
        int depth = plan.depth();
        int rows = y1 - y0;
        int tiles = rows * tilesX;
        int gOffset = region;
        int vOffset = region + alpha * filters * tiles;
        transformGradient(plan, dy, n, y0, y1, scratch, gOffset);
        for (int xi = 0; xi < alpha; xi++) {
            Blas.sgemm(true, false, depth, tiles, filters, 1f, scratch, xi * filters * depth, depth, scratch,
                    gOffset + xi * filters * tiles, tiles, 0f, scratch, vOffset + xi * depth * tiles, tiles);
        }

        int r0 = Math.max(0, y0 - pt);
        int r1 = Math.min(height, y1 - pt + kh - 1);
        int inRows = Math.max(0, r1 - r0);
        int count = channels * inRows * tilesX;
        Work work = WORK.get();
        float[][] sums = work.transformedTiles(alpha, count);
        float[] dv = work.matrix(depth * tiles);
        float[] shifted = work.kernel(count);
        FloatBuffer ss = scratch.data;
        for (int xi = 0; xi < alpha; xi++) {
            float[] sx = sums[xi];
            Arrays.fill(sx, 0, count, 0f);
            ss.get(vOffset + xi * depth * tiles, dv, 0, depth * tiles);
            for (int c = 0; c < channels; c++) {
                for (int ky = 0; ky < kh; ky++) {
                    int lo = Math.min(y1, Math.max(y0, pt - ky));
                    int hi = Math.max(lo, Math.min(y1, height + pt - ky));
                    if (hi == lo) {
                        continue;
                    }
                    // Moved to the index it is added at, so that the add vectorises (see Im2col).
                    int at = (c * inRows + lo + ky - pt - r0) * tilesX;
                    int len = (hi - lo) * tilesX;
                    System.arraycopy(dv, (c * kh + ky) * tiles + (lo - y0) * tilesX, shifted, at, len);
                    for (int i = at; i < at + len; i++) {
                        sx[i] += shifted[i];
                    }
                }
            }
        }
        float[][] dd = work.tiles(alpha, count);
        combine(t.b(), sums, dd, count);
        int rowLength = TILE * tilesX + t.r() - 1;
        for (int c = 0; c < channels; c++) {
            for (int rr = r0; rr < r1; rr++) {
                float[] row = work.row(rowLength);
                ungather(dd, (c * inRows + rr - r0) * tilesX, tilesX, alpha, row);
                int base = (c * height + rr) * width;
                int pl = plan.padLeft;
                for (int j = 0; j < width; j++) {
                    acc[base + j] += row[pl + j];
                }
            }
        }
    }

    /** {@code U [alpha][O][C*kh]}: each kernel row through {@code G}, at the start of the scratch. */
    private static void transformKernel(Plan plan, Buf w, Buf scratch) {
        Transform t = plan.transform;
        int alpha = t.alpha();
        int r = t.r();
        int kh = plan.kh;
        int filters = plan.filters;
        int channels = plan.channels;
        int depth = plan.depth();
        int size = filters * channels * kh * r;
        Work work = WORK.get();
        float[] kernel = work.kernel(size);
        w.data.get(0, kernel, 0, size);
        float[] u = work.transformed(plan.kernelFloats());
        for (int o = 0; o < filters; o++) {
            for (int c = 0; c < channels; c++) {
                for (int ky = 0; ky < kh; ky++) {
                    // A flipped plan reads the forward kernel [our channels][our filters][kh][kw] turned around.
                    int first = plan.flipped
                            ? ((c * filters + o) * kh + (kh - 1 - ky)) * r + r - 1
                            : ((o * channels + c) * kh + ky) * r;
                    int step = plan.flipped ? -1 : 1;
                    for (int xi = 0; xi < alpha; xi++) {
                        double sum = 0;
                        for (int k = 0; k < r; k++) {
                            sum += t.g()[xi][k] * kernel[first + step * k];
                        }
                        u[(xi * filters + o) * depth + c * kh + ky] = (float) sum;
                    }
                }
            }
        }
        scratch.data.put(0, u, 0, plan.kernelFloats());
    }

    /** Examples {@code [from, to)}, in the thread's region of the scratch at {@code region}. */
    private static void range(Plan plan, Buf in, Buf bias, Buf out, Buf scratch, int region, int from, int to,
            Activation act, float param, boolean accumulate) {
        int oh = plan.outHeight;
        if (plan.adjoint) {
            for (int n = from; n < to; n++) {
                adjointExample(plan, in, n, out, scratch, region, accumulate);
            }
            return;
        }
        for (int n = from; n < to; n++) {
            for (int y0 = 0; y0 < oh; y0 += plan.rowsPerChunk()) {
                chunk(plan, in, n, y0, Math.min(oh, y0 + plan.rowsPerChunk()), bias, out, scratch, region, act, param,
                        accumulate);
            }
        }
    }

    /**
     * {@code V [alpha][C*kh][tiles]} of output rows {@code [y0, y1)} of example {@code n} at {@code
     * scratch[vOffset ..]}: row {@code (c, ky)} holds the transformed tiles of input row {@code y + ky
     * - padTop} for each output row {@code y}, zero where that row is padding.
     */
    private static void transformInput(Plan plan, Buf in, int n, int y0, int y1, Buf scratch, int vOffset) {
        Transform t = plan.transform;
        int alpha = t.alpha();
        int height = plan.height;
        int width = plan.width;
        int kh = plan.kh;
        int pt = plan.padTop;
        int channels = plan.channels;
        int tilesX = plan.tilesX();
        int depth = plan.depth();
        int rows = y1 - y0;
        int tiles = rows * tilesX;
        // The input rows these output rows read, clipped to the image.
        int r0 = Math.max(0, y0 - pt);
        int r1 = Math.min(height, y1 - pt + kh - 1);
        int inRows = Math.max(0, r1 - r0);
        int count = channels * inRows * tilesX;
        Work work = WORK.get();
        float[][] d = work.tiles(alpha, count);
        float[][] v = work.transformedTiles(alpha, count);

        // Tiles of each input row, one array per position within the tile, then B^T over whole arrays.
        int rowLength = TILE * tilesX + t.r() - 1;
        float[] row = work.row(rowLength);
        FloatBuffer xs = in.data;
        int inOffset = n * channels * height * width;
        for (int c = 0; c < channels; c++) {
            for (int rr = r0; rr < r1; rr++) {
                xs.get(inOffset + (c * height + rr) * width, row, plan.padLeft, width);
                gather(row, d, (c * inRows + rr - r0) * tilesX, tilesX, alpha);
            }
        }
        combine(t.bt(), d, v, count);

        // V [alpha][C*kh][tiles]: kernel row ky of output row y reads input row y + ky - pt.
        FloatBuffer ss = scratch.data;
        // Built on the heap and moved in one copy: a put per run of rows costs more than the run.
        // Entries for rows in the padding above and below are zero for every point, so only the
        // first point writes them.
        int vFloats = depth * tiles;
        float[] vm = work.matrix(vFloats);
        for (int xi = 0; xi < alpha; xi++) {
            float[] vx = v[xi];
            for (int c = 0; c < channels; c++) {
                for (int ky = 0; ky < kh; ky++) {
                    int dst = (c * kh + ky) * tiles;
                    int lo = Math.min(y1, Math.max(y0, pt - ky));
                    int hi = Math.max(lo, Math.min(y1, height + pt - ky));
                    if (xi == 0) {
                        Arrays.fill(vm, dst, dst + (lo - y0) * tilesX, 0f);
                        Arrays.fill(vm, dst + (hi - y0) * tilesX, dst + tiles, 0f);
                    }
                    if (hi > lo) {
                        System.arraycopy(vx, (c * inRows + lo + ky - pt - r0) * tilesX, vm,
                                dst + (lo - y0) * tilesX, (hi - lo) * tilesX);
                    }
                }
            }
            ss.put(vOffset + xi * vFloats, vm, 0, vFloats);
        }
    }

    /** Output rows {@code [y0, y1)} of example {@code n}. */
    private static void chunk(Plan plan, Buf in, int n, int y0, int y1, Buf bias, Buf out, Buf scratch, int region,
            Activation act, float param, boolean accumulate) {
        Transform t = plan.transform;
        int alpha = t.alpha();
        int filters = plan.filters;
        int tilesX = plan.tilesX();
        int depth = plan.depth();
        int rows = y1 - y0;
        int tiles = rows * tilesX;
        FloatBuffer ss = scratch.data;
        int vOffset = region;
        int mOffset = region + alpha * depth * tiles;
        Work work = WORK.get();
        transformInput(plan, in, n, y0, y1, scratch, vOffset);
        for (int xi = 0; xi < alpha; xi++) {
            Blas.sgemm(false, false, filters, tiles, depth, 1f, scratch, xi * filters * depth, depth, scratch,
                    vOffset + xi * depth * tiles, tiles, 0f, scratch, mOffset + xi * filters * tiles, tiles);
        }

        // A^T over whole arrays, then each tile's 4 outputs into its row.
        int products = filters * tiles;
        float[][] m = work.products(alpha, products);
        for (int xi = 0; xi < alpha; xi++) {
            ss.get(mOffset + xi * products, m[xi], 0, products);
        }
        float[][] ys = work.outputs(TILE, products);
        combine(t.at(), m, ys, products);
        int ow = plan.outWidth;
        int plane = plan.outHeight * ow;
        float[] staged = work.staged(rows * ow);
        float[] old = accumulate ? work.old(rows * ow) : null;
        FloatBuffer os = out.data;
        int outOffset = n * filters * plane + y0 * ow;
        for (int o = 0; o < filters; o++) {
            for (int yl = 0; yl < rows; yl++) {
                scatter(ys, (o * rows + yl) * tilesX, staged, yl * ow, ow);
            }
            int at = outOffset + o * plane;
            if (accumulate) {
                os.get(at, old, 0, rows * ow);
                for (int i = 0; i < rows * ow; i++) {
                    staged[i] += old[i];
                }
            } else if (bias != null || act != Activation.IDENTITY) {
                epilogue(staged, rows * ow, bias == null ? 0f : bias.data.get(o), act, param);
            }
            os.put(at, staged, 0, rows * ow);
        }
    }

    /**
     * Tile {@code tx} of a staged row is {@code row[4 tx .. 4 tx + alpha)}; its value {@code l} goes
     * to {@code d[l][at + tx]}. One pass over the tiles with all of a tile's stores in its body:
     * a loop over 4 tiles per position would be mostly loop overhead.
     */
    private static void gather(float[] row, float[][] d, int at, int tilesX, int alpha) {
        float[] d0 = d[0];
        float[] d1 = d[1];
        float[] d2 = d[2];
        float[] d3 = d[3];
        float[] d4 = d[4];
        float[] d5 = d[5];
        if (alpha == 8) {
            float[] d6 = d[6];
            float[] d7 = d[7];
            for (int tx = 0, s = 0; tx < tilesX; tx++, s += TILE) {
                d0[at + tx] = row[s];
                d1[at + tx] = row[s + 1];
                d2[at + tx] = row[s + 2];
                d3[at + tx] = row[s + 3];
                d4[at + tx] = row[s + 4];
                d5[at + tx] = row[s + 5];
                d6[at + tx] = row[s + 6];
                d7[at + tx] = row[s + 7];
            }
        } else {
            for (int tx = 0, s = 0; tx < tilesX; tx++, s += TILE) {
                d0[at + tx] = row[s];
                d1[at + tx] = row[s + 1];
                d2[at + tx] = row[s + 2];
                d3[at + tx] = row[s + 3];
                d4[at + tx] = row[s + 4];
                d5[at + tx] = row[s + 5];
            }
        }
    }

    /** The adjoint of {@link #gather}: adds {@code d[l][at + tx]} to {@code row[4 tx + l]}, tiles overlapping. */
    private static void ungather(float[][] d, int at, int tilesX, int alpha, float[] row) {
        float[] d0 = d[0];
        float[] d1 = d[1];
        float[] d2 = d[2];
        float[] d3 = d[3];
        float[] d4 = d[4];
        float[] d5 = d[5];
        if (alpha == 8) {
            float[] d6 = d[6];
            float[] d7 = d[7];
            for (int tx = 0, s = 0; tx < tilesX; tx++, s += TILE) {
                row[s] += d0[at + tx];
                row[s + 1] += d1[at + tx];
                row[s + 2] += d2[at + tx];
                row[s + 3] += d3[at + tx];
                row[s + 4] += d4[at + tx];
                row[s + 5] += d5[at + tx];
                row[s + 6] += d6[at + tx];
                row[s + 7] += d7[at + tx];
            }
        } else {
            for (int tx = 0, s = 0; tx < tilesX; tx++, s += TILE) {
                row[s] += d0[at + tx];
                row[s + 1] += d1[at + tx];
                row[s + 2] += d2[at + tx];
                row[s + 3] += d3[at + tx];
                row[s + 4] += d4[at + tx];
                row[s + 5] += d5[at + tx];
            }
        }
    }

    /** The inverse of {@link #gather} for one output row of {@code ow} values: tile {@code tx} writes {@code out[4 tx ..]}. */
    private static void scatter(float[][] ys, int at, float[] out, int to, int ow) {
        float[] y0 = ys[0];
        float[] y1 = ys[1];
        float[] y2 = ys[2];
        float[] y3 = ys[3];
        int full = ow / TILE;
        for (int tx = 0, s = to; tx < full; tx++, s += TILE) {
            out[s] = y0[at + tx];
            out[s + 1] = y1[at + tx];
            out[s + 2] = y2[at + tx];
            out[s + 3] = y3[at + tx];
        }
        // The last tile may stick out of the row.
        int rest = ow - full * TILE;
        int s = to + full * TILE;
        if (rest > 0) {
            out[s] = y0[at + full];
        }
        if (rest > 1) {
            out[s + 1] = y1[at + full];
        }
        if (rest > 2) {
            out[s + 2] = y2[at + full];
        }
    }

    /** Tile {@code tx} of a row of 4 values each: {@code e[j][at + tx] = row[4 tx + j]}. */
    private static void unscatter(float[] row, float[][] e, int at, int tilesX) {
        float[] e0 = e[0];
        float[] e1 = e[1];
        float[] e2 = e[2];
        float[] e3 = e[3];
        for (int tx = 0, s = 0; tx < tilesX; tx++, s += TILE) {
            e0[at + tx] = row[s];
            e1[at + tx] = row[s + 1];
            e2[at + tx] = row[s + 2];
            e3[at + tx] = row[s + 3];
        }
    }

    /** {@code out[i][p] = sum_j coef[i][j] in[j][p]} for {@code p < count}, row by row over whole arrays. */
    private static void combine(float[][] coef, float[][] in, float[][] out, int count) {
        for (int i = 0; i < coef.length; i++) {
            float[] o = out[i];
            boolean first = true;
            for (int j = 0; j < coef[i].length; j++) {
                float c = coef[i][j];
                if (c == 0f) {
                    continue;
                }
                float[] a = in[j];
                if (first) {
                    for (int p = 0; p < count; p++) {
                        o[p] = c * a[p];
                    }
                    first = false;
                } else {
                    for (int p = 0; p < count; p++) {
                        o[p] += c * a[p];
                    }
                }
            }
        }
    }

    private static void epilogue(float[] a, int len, float b, Activation act, float param) {
        switch (act) {
            case IDENTITY -> {
                for (int i = 0; i < len; i++) {
                    a[i] += b;
                }
            }
            case RELU -> {
                for (int i = 0; i < len; i++) {
                    a[i] = Math.max(a[i] + b, 0f);
                }
            }
            default -> {
                for (int i = 0; i < len; i++) {
                    a[i] = Activations.apply(act, param, a[i] + b);
                }
            }
        }
    }

    /** A call split in two halves of the batch; each half works in its own region after the kernel. */
    private static final class Job implements Workers.Parts {
        private Plan plan;
        private Buf in;
        private Buf bias;
        private Buf out;
        private Buf scratch;
        private int batch;
        private Activation act;
        private float param;
        private boolean accumulate;

        void set(Plan plan, Buf in, Buf bias, Buf out, Buf scratch, int batch, Activation act, float param,
                boolean accumulate) {
            this.plan = plan;
            this.in = in;
            this.bias = bias;
            this.out = out;
            this.scratch = scratch;
            this.batch = batch;
            this.act = act;
            this.param = param;
            this.accumulate = accumulate;
        }

        @Override
        public void run(int part, int parts) {
            int region = plan.shared() + part * plan.regionFloats();
            int from = batch * part / parts;
            int to = batch * (part + 1) / parts;
            if (plan.weights) {
                weightRange(plan, in, out, scratch, region, from, to);
            } else {
                range(plan, in, bias, out, scratch, region, from, to, act, param, accumulate);
            }
        }
    }

    /** One thread's heap arrays, grown on demand and then kept. */
    private static final class Work {
        private float[] kernel = new float[0];
        private float[] transformed = new float[0];
        private float[] row = new float[0];
        private float[] matrix = new float[0];
        private float[] staged = new float[0];
        private float[] old = new float[0];
        private float[][] tiles = new float[0][0];
        private float[][] transformedTiles = new float[0][0];
        private float[][] products = new float[0][0];
        private float[][] outputs = new float[0][0];

        float[] kernel(int n) {
            return kernel = grow(kernel, n);
        }

        float[] transformed(int n) {
            return transformed = grow(transformed, n);
        }

        /** A zero-filled row: the padding around the copied input stays zero. */
        float[] row(int n) {
            row = grow(row, n);
            Arrays.fill(row, 0, n, 0f);
            return row;
        }

        float[] matrix(int n) {
            return matrix = grow(matrix, n);
        }

        float[] staged(int n) {
            return staged = grow(staged, n);
        }

        float[] old(int n) {
            return old = grow(old, n);
        }

        float[][] tiles(int arrays, int n) {
            return tiles = grow(tiles, arrays, n);
        }

        float[][] transformedTiles(int arrays, int n) {
            return transformedTiles = grow(transformedTiles, arrays, n);
        }

        float[][] products(int arrays, int n) {
            return products = grow(products, arrays, n);
        }

        float[][] outputs(int arrays, int n) {
            return outputs = grow(outputs, arrays, n);
        }

        private static float[] grow(float[] a, int n) {
            return a.length >= n ? a : new float[n];
        }

        private static float[][] grow(float[][] a, int arrays, int n) {
            if (a.length < arrays) {
                a = Arrays.copyOf(a, arrays);
            }
            for (int i = 0; i < arrays; i++) {
                if (a[i] == null || a[i].length < n) {
                    a[i] = new float[n];
                }
            }
            return a;
        }
    }
}
