package org.dnnc.runtime.cpu;

/**
 * How {@link Conv2d} computes one pass of a convolution (forward, input gradient or kernel
 * gradient). The compiler picks one per layer and pass from the shape alone and names it in the
 * generated call; the rules are {@link #forward}, {@link #inputGradient} and {@link
 * #weightGradient}, which the compiler mirrors (a compiler test keeps the two in step).
 *
 * <p>Which pays was measured on two threads at batch 64 by {@code ConvAlgorithmBench} on the
 * shapes of the benchmark networks: Winograd rows where the map has at least {@code 128} tiles
 * ({@link WinogradPlan}), several examples per GEMM on maps of fewer than {@link #SMALL_MAP}
 * positions (a GEMM over one 7x7 example has 49 columns, too few for OpenBLAS to run at speed),
 * pointwise convolutions straight on the input, and im2col per example otherwise.
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
    WINOGRAD_TRANSPOSED;

    /** Output positions per example below which {@link #IM2COL_BATCHED} runs the layer. */
    public static final int SMALL_MAP = 256;

    /** About how many GEMM columns {@link #IM2COL_BATCHED} puts examples side by side for. */
    public static final int BATCHED_COLUMNS = 512;

    /** The algorithm of {@code g}'s forward pass. */
    public static ConvAlgorithm forward(ConvGeometry g) {
        if (WinogradPlan.forwardPays(g)) {
            return WINOGRAD;
        }
        return direct(g);
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
        return forward(g);
    }

    private static ConvAlgorithm direct(ConvGeometry g) {
        if (g.outHeight() * g.outWidth() < SMALL_MAP) {
            return IM2COL_BATCHED;
        }
        return g.isPointwise() ? POINTWISE : IM2COL;
    }

    /** How many examples {@link #IM2COL_BATCHED} multiplies in one GEMM for {@code g}. */
    public static int examplesPerGemm(ConvGeometry g) {
        int spatial = g.outHeight() * g.outWidth();
        return Math.max(1, (BATCHED_COLUMNS + spatial - 1) / spatial);
    }
}
