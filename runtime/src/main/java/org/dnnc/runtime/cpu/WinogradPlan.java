package org.dnnc.runtime.cpu;

/**
 * How one {@link WinogradRows} call runs: the convolution computed (the forward one, or its
 * transpose for an input gradient computed that way), which pass, the threads, and the output rows
 * of an example per chunk. The static methods decide per shape whether the algorithm
 * applies and pays against im2col, and whether the scratch holds it. One per thread, reused, so a
 * call allocates nothing.
 */
final class WinogradPlan {

    /** The smallest GEMM depth ({@code C * kh}) worth transforming for: below it OpenBLAS is slow anyway. */
    private static final int MIN_DEPTH = 32;

    /** Fewer tiles than this per GEMM run too slowly to beat im2col. */
    static final int MIN_TILES = 16;

    /**
     * Tiles per example from which the algorithm pays for any depth and filter count. Below it,
     * only 5-wide kernels with at least {@link #WIDE_FILTERS} filters do. Measured per 32 examples
     * on one thread (im2col against WinogradRows): 5x5, 16 to 32 channels, 14x14 (56 tiles): forward
     * 4.07 to 3.1 ms, input gradient 4.2 to 3.3 ms (adjoint; transposed 4.9), kernel gradient 3.8 to
     * 2.8 ms; 3x3, 16 to 16 channels, 28x28 (196 tiles): forward 4.45 to 3.7 ms, input gradient 4.9
     * to 3.6 ms (transposed; adjoint 4.3), kernel gradient 4.9 to 3.9 ms; 3x3, 32 to 32 channels,
     * 14x14: forward 3.05 to 3.6 ms, input gradient 3.0 to 3.3 ms, kernel gradient 2.8 to 2.8 ms.
     */
    private static final int MANY_TILES = 128;

    /** See {@link #MANY_TILES}. */
    private static final int WIDE_FILTERS = 32;

    /**
     * Tiles per example from which the forward pass of a 3-wide kernel pays at a depth of {@link
     * #DEEP_DEPTH} or more, short of {@link #MANY_TILES}. Measured at batch 64 on two threads ({@code
     * ConvAlgorithmBench}, three runs, milliseconds im2col against Winograd rows): 32 to 32 channels
     * on 14x14 (56 tiles, depth 96), 2.64, 2.11, 2.66 against 1.91, 1.78, 1.88; but 16 to 32 on
     * 14x14 (depth 48), 0.94, 0.76, 0.82 against 1.50, 1.07, 1.13, and 64 to 64 on 7x7 (14 tiles),
     * 1.90, 1.97 against 2.05, 2.18. The kernel gradient on the first measured even (1.98, 1.94, 2.02
     * against 2.01, 1.89, 2.18) and the adjoint input gradient slower than the transposed one, so
     * neither takes this rule.
     */
    private static final int DEEP_TILES = 56;

    /** See {@link #DEEP_TILES}. */
    private static final int DEEP_DEPTH = 96;

    private static final ThreadLocal<WinogradPlan> PLAN = ThreadLocal.withInitial(WinogradPlan::new);

    // Read by WinogradRows's passes; set only here.
    WinogradTransform transform;
    boolean flipped;
    boolean weights;
    boolean adjoint;
    int channels;
    int height;
    int width;
    int filters;
    int kh;
    int padTop;
    int padLeft;
    int outHeight;
    int outWidth;
    int threads;
    int rowsPerChunk;

    /** The convolution over {@code channels x height x width} with stride 1; false if the algorithm does not apply. */
    private boolean set(boolean flipped, int channels, int height, int width, int filters, int kh, int kw,
            int padTop, int padLeft, int padBottom, int padRight) {
        if (kw != 3 && kw != 5 || channels * kh < MIN_DEPTH) {
            return false;
        }
        this.transform = kw == 5 ? WinogradTransform.R5 : WinogradTransform.R3;
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
        return outHeight >= 1 && outWidth >= WinogradTransform.TILE;
    }

    /** See {@link #MANY_TILES}. */
    private boolean pays() {
        return outHeight * tilesX() >= MANY_TILES || transform == WinogradTransform.R5 && filters >= WIDE_FILTERS;
    }

    /** Whether the forward pass pays: {@link #pays}, or a deep 3-wide kernel on enough tiles ({@link #DEEP_TILES}). */
    private boolean forwardPays() {
        return pays() || transform == WinogradTransform.R3 && depth() >= DEEP_DEPTH
                && outHeight * tilesX() >= DEEP_TILES;
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
        return (outWidth + WinogradTransform.TILE - 1) / WinogradTransform.TILE;
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
    int shared() {
        return weights ? 0 : kernelFloats();
    }

    /** A thread's region: the weight gradient's own transformed sums, then its rows. */
    int regionFloats() {
        return ownSums() + rowsPerChunk * rowFloats();
    }

    private int ownSums() {
        return weights ? kernelFloats() : 0;
    }

    /**
     * This thread's plan for {@code y = conv(x, w)} with this scratch and batch, or {@code null}
     * when im2col should run it.
     */
    static WinogradPlan forward(ConvGeometry g, Buf scratch, int batch) {
        return forward(g, scratch, batch, false);
    }

    /** {@link #forward}, also where im2col is faster when {@code evenIfSlower} (for tests of odd shapes). */
    static WinogradPlan forward(ConvGeometry g, Buf scratch, int batch, boolean evenIfSlower) {
        WinogradPlan p = ofForward(g);
        if (p == null) {
            return null;
        }
        return evenIfSlower || p.forwardPays() ? fit(p, scratch, batch) : null;
    }

    /**
     * This thread's plan for the input gradient of {@code g}: the adjoint of the forward algorithm
     * where that pays, else the transposed convolution where that does, else {@code null} and col2im
     * should run it.
     */
    static WinogradPlan inputGradient(ConvGeometry g, Buf scratch, int batch) {
        return inputGradient(g, scratch, batch, false);
    }

    /** {@link #inputGradient}, also where col2im is faster when {@code evenIfSlower}. */
    static WinogradPlan inputGradient(ConvGeometry g, Buf scratch, int batch, boolean evenIfSlower) {
        WinogradPlan adjoint = adjointInputGradient(g, scratch, batch, evenIfSlower);
        return adjoint != null ? adjoint : transposedInputGradient(g, scratch, batch, evenIfSlower);
    }

    /**
     * The input gradient as the adjoint of the forward algorithm, {@code dd = B [U^T (A dy)]} per
     * tile, over the forward geometry. Its GEMMs sum over the filters, so it needs at least {@link
     * #WIDE_FILTERS} of them; then it beats the transposed convolution, whose GEMMs have as few rows
     * as the forward convolution has channels.
     */
    static WinogradPlan adjointInputGradient(ConvGeometry g, Buf scratch, int batch, boolean evenIfSlower) {
        WinogradPlan p = ofForward(g);
        if (p == null) {
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
    static WinogradPlan transposedInputGradient(ConvGeometry g, Buf scratch, int batch, boolean evenIfSlower) {
        WinogradPlan p = ofTransposed(g);
        if (p == null) {
            return null;
        }
        return evenIfSlower || p.transposedPays() ? fit(p, scratch, batch) : null;
    }

    /** This thread's plan set to the transposed convolution of {@code g}, or {@code null} if it does not apply. */
    private static WinogradPlan ofTransposed(ConvGeometry g) {
        int kh = g.kernelH();
        int kw = g.kernelW();
        if (g.strideH() != 1 || g.strideW() != 1 || g.padTop() >= kh || g.padBottom() >= kh || g.padLeft() >= kw
                || g.padRight() >= kw) {
            return null;
        }
        WinogradPlan p = PLAN.get();
        boolean applies = p.set(true, g.filters(), g.outHeight(), g.outWidth(), g.channels(), kh, kw,
                kh - 1 - g.padTop(), kw - 1 - g.padLeft(), kh - 1 - g.padBottom(), kw - 1 - g.padRight());
        return applies ? p : null;
    }

    /**
     * Whether the forward pass of {@code g} pays in Winograd rows against im2col. The compiler then
     * plans the scratch it runs in on two threads ({@link #forwardFloats}).
     */
    static boolean forwardPays(ConvGeometry g) {
        WinogradPlan p = ofForward(g);
        return p != null && p.forwardPays();
    }

    /** Whether the kernel gradient of {@code g} pays in Winograd rows ({@link #weightFloats} its scratch). */
    static boolean weightPays(ConvGeometry g) {
        WinogradPlan p = ofForward(g);
        if (p == null) {
            return false;
        }
        p.weights = true;
        return p.pays();
    }

    /** Whether the input gradient of {@code g} pays as the adjoint of the forward algorithm. */
    static boolean adjointPays(ConvGeometry g) {
        WinogradPlan p = ofForward(g);
        return p != null && g.filters() >= WIDE_FILTERS && p.pays();
    }

    /**
     * Floats of scratch for the forward pass of {@code g} in Winograd rows on {@code threads}
     * threads, or 0 where the rules pick another algorithm: see {@link #plannedFloats}.
     */
    static int forwardFloats(ConvGeometry g, int threads) {
        return forwardPays(g) ? ofForward(g).plannedFloats(threads) : 0;
    }

    /** {@link #forwardFloats} for the input gradient, in whichever Winograd form the rules pick. */
    static int inputGradientFloats(ConvGeometry g, int threads) {
        if (adjointPays(g)) {
            return ofForward(g).plannedFloats(threads);
        }
        return transposedPays(g) ? ofTransposed(g).plannedFloats(threads) : 0;
    }

    /** {@link #forwardFloats} for the kernel gradient. */
    static int weightFloats(ConvGeometry g, int threads) {
        if (!weightPays(g)) {
            return 0;
        }
        WinogradPlan p = ofForward(g);
        p.weights = true;
        return p.plannedFloats(threads);
    }

    /**
     * The scratch this plan runs in on {@code threads} threads with every output row of an example in
     * one chunk: the shared transformed kernel, then per thread its own sums and the rows. It is at
     * most about twice the kernel beside what im2col needs (the transformed kernel is {@code
     * alpha / kw} times the kernel, the rows about as large as a column matrix), so it is not capped;
     * {@link #fit} still runs a call in a smaller scratch on fewer rows or threads.
     */
    private int plannedFloats(int threads) {
        return shared() + threads * (ownSums() + outHeight * rowFloats());
    }

    /**
     * Whether the input gradient of {@code g} pays as a transposed Winograd convolution: on maps of
     * many tiles, and on small maps where it computes at least {@link #WIDE_FILTERS} channels from no
     * more filters than that (not for a layer that widens). Measured
     * at batch 64 on two threads against col2im ({@code ConvAlgorithmBench}): 32 to 32 channels on
     * 14x14, 3.06 to 2.30 ms; 64 to 64 on 7x7, 3.73 to 2.36 ms; 32 to 64 on 7x7, 1.41 to 1.37 ms; but
     * 16 to 32 on 14x14 (16 channels computed), 1.40 to 1.92 ms. On 7x7 maps the transformed kernel
     * is larger than two column matrices, so the scratch planned for it ({@link
     * #inputGradientFloats}) is larger than im2col's; in it, on a machine busy with other work (three
     * runs): 64 to 64, col2im 3.76, 7.16, 6.64 against 2.41, 4.36, 3.77 ms; 32 to 64, 1.50, 2.93,
     * 3.03 against 1.63, 3.00, 3.02 ms (no gain, no loss). Measured again on a quiet machine (three
     * runs), 32 to 64 on 7x7 lost: col2im 1.12, 1.13, 1.12 against 1.43, 1.37, 1.37 ms, while 64 to
     * 64 on 7x7 kept its gain (2.85, 4.56, 2.90 against 2.03, 2.82, 1.98), so a widening layer's input
     * gradient is col2im's again.
     */
    static boolean transposedPays(ConvGeometry g) {
        WinogradPlan p = ofTransposed(g);
        return p != null && p.transposedPays();
    }

    /** {@link #transposedPays(ConvGeometry)} for this plan, set to the transposed convolution. */
    private boolean transposedPays() {
        return pays() || filters >= WIDE_FILTERS && filters >= channels;
    }

    /**
     * This thread's plan for the kernel gradient of {@code g}, or {@code null} when im2col should
     * run it. It sums, per transformed point, the transformed output gradient against the same
     * transformed input as the forward pass: {@code dg = G^T [(A dy) ⊙ (B^T d)]} for each tile.
     */
    static WinogradPlan weightGradient(ConvGeometry g, Buf scratch, int batch) {
        return weightGradient(g, scratch, batch, false);
    }

    /** {@link #weightGradient}, also where im2col is faster when {@code evenIfSlower}. */
    static WinogradPlan weightGradient(ConvGeometry g, Buf scratch, int batch, boolean evenIfSlower) {
        WinogradPlan p = batch < 1 ? null : ofForward(g);
        if (p == null) {
            return null;
        }
        p.weights = true;
        return evenIfSlower || p.pays() ? fit(p, scratch, batch) : null;
    }

    /** This thread's plan set to the convolution {@code g} itself, or {@code null} if the algorithm does not apply. */
    private static WinogradPlan ofForward(ConvGeometry g) {
        WinogradPlan p = PLAN.get();
        boolean applies = g.strideH() == 1 && g.strideW() == 1 && p.set(false, g.channels(), g.height(), g.width(),
                g.filters(), g.kernelH(), g.kernelW(), g.padTop(), g.padLeft(), g.padBottom(), g.padRight());
        return applies ? p : null;
    }

    /** Picks threads and rows per chunk that fit the scratch, or {@code null} if too few rows fit to pay. */
    private static WinogradPlan fit(WinogradPlan p, Buf scratch, int batch) {
        if (scratch == null) {
            return null;
        }
        int most = Workers.threads() >= 2 && batch >= 2 ? 2 : 1;
        for (int threads = most; threads >= 1; threads--) {
            long region = (scratch.size - (long) p.shared()) / threads - p.ownSums();
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
}
