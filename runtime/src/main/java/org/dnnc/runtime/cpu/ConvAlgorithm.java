package org.dnnc.runtime.cpu;

/**
 * How {@link Conv2d} computes one pass of a convolution (forward, input gradient or kernel
 * gradient). The compiler picks one per layer and pass from the shape alone and names it in the
 * generated call; the rules are {@link #forward}, {@link #inputGradient} and {@link
 * #weightGradient}, which the compiler mirrors (a compiler test keeps the two in step).
 *
 * <p>Which pays was measured on two threads at batch 64 by {@code ConvAlgorithmBench} on the
 * shapes of the benchmark networks (milliseconds for forward, input gradient, kernel gradient):
 * Winograd rows where the map has at least 128 tiles ({@link WinogradPlan}; 16 to 16 channels on
 * 28x28: im2col 5.57, 6.69, 5.87, Winograd forward 4.05, transposed input gradient 4.07), and for
 * the forward pass of deep 3x3 kernels from 56 tiles ({@link WinogradPlan}: 32 to 32 channels on
 * 14x14, 2.11-2.66 against 1.78-1.91), the transposed Winograd input gradient also on small maps
 * of 32 channels or more from no more filters (64 to 64 channels on 7x7: col2im 3.73, transposed
 * 2.36; 32 to 64 lost, 1.12 against 1.37), in the scratch each needs on two threads, which the
 * compiler plans ({@link Conv2d#inputGradientScratchFloats} and the like: on the 7x7 maps above
 * more than im2col's two column matrices, since the transformed kernel is larger); several examples
 * per GEMM only on maps of fewer than {@link #SMALL_MAP} positions (128 to 128 channels, stride 2,
 * onto 4x4: im2col 4.26, 4.39, 3.93, batched 3.67, 2.99, 2.89; on a 7x7 map it gained nothing);
 * pointwise convolutions straight on the input (32 to 64 channels on 14x14: 0.48, 0.31, 0.43
 * against 0.61, 0.86, 0.58 batched); and im2col per example otherwise (the first convolution of
 * an image network too: with one input channel the GEMM is shallow, but the layer costs under a
 * millisecond).
 *
 * <p>Since {@link Im2col} gathered strided shapes through an index table (one thread, 64 examples,
 * best of three runs, milliseconds before and after: 64 to 64 channels, stride 2 on 14x14: 5.27,
 * 6.00, 5.16 to 4.43, 4.97, 4.16; 128 to 128 onto 4x4, batched: 5.34, 5.36, 5.26 to 4.61, 4.76,
 * 4.77), batching the 7x7 output of the former measured within noise of one example per GEMM
 * (4.25-4.53, 4.49-4.56, 4.53 against 4.41-5.25, 4.90-4.97, 4.04-4.57), so the threshold stays.
 * Im2col now reads strided shapes from phase planes (its figures are in its comment). On two
 * threads ({@code ConvAlgorithmBench}, two alternating pairs of runs at load 3, medians, before to
 * after) 64 to 64 channels per example went from 2.82-2.84, 3.33-3.41, 2.60-2.72 to 2.18-2.78,
 * 2.51-3.20, 2.00-2.48, and 128 to 128 batched from 3.30-3.56, 3.08-3.21, 3.03-3.17 to 2.42-2.51,
 * 2.48-2.62, 2.36-2.37; in one thread's CPU time about 5% per pass. The threshold was not measured
 * again.
 */
public enum ConvAlgorithm {
    /** One GEMM per example over its im2col column matrix (col2im for the input gradient). */
    IM2COL,
    /** A 1x1 convolution with stride 1 and no padding: one GEMM per example on the input itself. */
    POINTWISE,
    /**
     * The column matrices of several examples side by side ({@link #examplesPerGemm}) in one GEMM,
     * its output scattered back per example: for small maps.
     */
    IM2COL_BATCHED,
    /**
     * Row-wise Winograd ({@link WinogradRows}) over the forward geometry: the forward pass, the
     * kernel gradient, and the input gradient as the forward algorithm's adjoint.
     */
    WINOGRAD,
    /** The input gradient as a Winograd forward convolution of the output gradient with the flipped kernel. */
    WINOGRAD_TRANSPOSED,
    /**
     * oneDNN's convolution ({@link OneDnnConv}): the forward pass on NCHW views, reordering into its
     * layouts and back on each call, for the inference program; and every pass of a call with an
     * operand in {@link Layout#NCHW16C}, oneDNN's own layout, which a training program keeps between
     * its convolutions and batch norms. Where oneDNN is not usable ({@link OneDnn#usable}: not
     * loaded, or a context of another thread count than OpenMP's), and in the gradient passes on
     * NCHW views, the rules' algorithm for the pass runs (example by example through reorders, for
     * blocked operands).
     */
    ONEDNN;

    /** Output positions per example below which {@link #IM2COL_BATCHED} runs the layer. */
    public static final int SMALL_MAP = 32;

    /** About how many GEMM columns {@link #IM2COL_BATCHED} puts examples side by side for. */
    public static final int BATCHED_COLUMNS = 512;

    /** The algorithm of {@code g}'s forward pass. */
    public static ConvAlgorithm forward(ConvGeometry g) {
        if (WinogradPlan.forwardPays(g)) {
            return WINOGRAD;
        }
        return direct(g);
    }

    /**
     * The algorithm of {@code g}'s forward pass in the inference program: {@link #ONEDNN}, whose
     * fallback is {@link #forward}.
     */
    public static ConvAlgorithm inference(ConvGeometry g) {
        return ONEDNN;
    }

    /** The algorithm of {@code g}'s input gradient. */
    public static ConvAlgorithm inputGradient(ConvGeometry g) {
        if (WinogradPlan.adjointPays(g)) {
            return WINOGRAD;
        }
        if (WinogradPlan.transposedPays(g)) {
            return WINOGRAD_TRANSPOSED;
        }
        return direct(g);
    }

    /** The algorithm of {@code g}'s kernel gradient. */
    public static ConvAlgorithm weightGradient(ConvGeometry g) {
        if (WinogradPlan.weightPays(g)) {
            return WINOGRAD;
        }
        return direct(g);
    }

    private static ConvAlgorithm direct(ConvGeometry g) {
        if (g.isPointwise()) {
            return POINTWISE;
        }
        return g.outHeight() * g.outWidth() < SMALL_MAP ? IM2COL_BATCHED : IM2COL;
    }

    /** How many examples {@link #IM2COL_BATCHED} multiplies in one GEMM for {@code g}. */
    public static int examplesPerGemm(ConvGeometry g) {
        int spatial = g.outHeight() * g.outWidth();
        return Math.max(1, (BATCHED_COLUMNS + spatial - 1) / spatial);
    }
}
