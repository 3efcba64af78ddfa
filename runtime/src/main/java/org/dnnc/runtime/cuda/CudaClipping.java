package org.dnnc.runtime.cuda;

/**
 * Gradient clipping on the device ({@code clipping.cu}): twins of {@link
 * org.dnnc.runtime.cpu.GradientClipping}. The global norm is summed in double in a fixed order, and
 * stays on the device ({@code result[0]}) with the factor applied ({@code result[1]}), so a step
 * need not wait for it.
 */
public final class CudaClipping {

    /** Blocks of the partial sums; must match {@code CLIP_BLOCKS} in {@code clipping.cu}. */
    static final int BLOCKS = 64;

    /** Floats of {@code scratch}: {@value #BLOCKS} doubles of partial sums, then the 2-float result. */
    public static final int SCRATCH_SIZE = 2 * BLOCKS + 2;

    private static final FixedKernel PARTIAL = new FixedKernel("clipping", "clip_partial");
    private static final FixedKernel FINISH = new FixedKernel("clipping", "clip_finish");
    private static final FixedKernel SCALE = new FixedKernel("clipping", "clip_scale");
    private static final FixedKernel VALUE = new FixedKernel("clipping", "clip_value");

    private CudaClipping() {}

    /**
     * PyTorch's {@code clip_grad_norm_} over all {@code grads} together, as {@code
     * GradientClipping.clipNorm}: {@link #norm(CudaContext, DevBuf[], int[], float, DevBuf)}, then
     * {@link #scale}; afterwards {@code scratch[2 * BLOCKS]} holds the norm before clipping ({@link
     * #normOffset()}), for the host to read when it wants it.
     *
     * @param apply a step gate's flag ({@link CudaOptimizers#applyFlag}): the gradients are scaled
     *     only in a step whose update applies; null: always
     */
    public static void clipNorm(CudaContext ctx, DevBuf[] grads, int[] sizes, float maxNorm, DevBuf scratch,
            DevBuf apply) {
        norm(ctx, grads, sizes, maxNorm, scratch);
        scale(ctx, grads, sizes, scratch, apply);
    }

    /**
     * The global L2 norm of all {@code grads} together, left at {@link #normOffset()} in {@code
     * scratch} without changing them: a step's gate reads it to tell, as {@code
     * GradientCheck.allFinite} does on the CPU, whether a gradient overflowed (the norm is then not
     * finite).
     */
    public static void norm(CudaContext ctx, DevBuf[] grads, int[] sizes, DevBuf scratch) {
        norm(ctx, grads, sizes, Float.POSITIVE_INFINITY, scratch);
    }

    /**
     * The global L2 norm of all {@code grads}, as {@link #norm(CudaContext, DevBuf[], int[], DevBuf)},
     * with the factor that clips it to {@code maxNorm} beside it, for {@link #scale}.
     */
    public static void norm(CudaContext ctx, DevBuf[] grads, int[] sizes, float maxNorm, DevBuf scratch) {
        checkLengths(grads, sizes);
        checkScratch(scratch);
        DevBuf partials = scratch.slice(0, 2 * BLOCKS);
        ctx.zero(partials);
        for (int k = 0; k < grads.length; k++) {
            ctx.launch(ctx.kernel(PARTIAL), BLOCKS, 1, 256, 0, ctx.args().ptr(grads[k]).i(sizes[k]).ptr(partials));
        }
        ctx.launch(ctx.kernel(FINISH), 1, 1, 1, 0, ctx.args().ptr(partials).f(maxNorm)
                .ptr(scratch.slice(normOffset(), 2)));
    }

    /**
     * Scales every gradient by the factor {@link #norm(CudaContext, DevBuf[], int[], float, DevBuf)}
     * left in {@code scratch}, when it is below 1 and {@code apply} (a step gate's flag, or null) says
     * the step's update applies.
     */
    public static void scale(CudaContext ctx, DevBuf[] grads, int[] sizes, DevBuf scratch, DevBuf apply) {
        checkLengths(grads, sizes);
        checkScratch(scratch);
        DevBuf result = scratch.slice(normOffset(), 2);
        for (int k = 0; k < grads.length; k++) {
            ctx.launch(ctx.kernel(SCALE), sizes[k], ctx.args().ptr(grads[k]).i(sizes[k]).ptr(result).ptr(apply));
        }
    }

    private static void checkScratch(DevBuf scratch) {
        if (scratch.size() < SCRATCH_SIZE || (scratch.address() & 7) != 0) {
            throw new IllegalArgumentException("clipping needs " + SCRATCH_SIZE + " scratch floats at an 8-byte aligned "
                    + "address, got " + scratch);
        }
    }

    /** Where in {@code scratch} the norm before clipping is left. */
    public static int normOffset() {
        return 2 * BLOCKS;
    }

    /**
     * PyTorch's {@code clip_grad_value_}, as {@code GradientClipping.clipValue}, in a step whose
     * update applies ({@code apply} as for {@link #clipNorm}).
     */
    public static void clipValue(CudaContext ctx, DevBuf[] grads, int[] sizes, float limit, DevBuf apply) {
        checkLengths(grads, sizes);
        for (int k = 0; k < grads.length; k++) {
            ctx.launch(ctx.kernel(VALUE), sizes[k], ctx.args().ptr(grads[k]).i(sizes[k]).f(limit).ptr(apply));
        }
    }

    private static void checkLengths(DevBuf[] grads, int[] sizes) {
        if (grads.length != sizes.length) {
            throw new IllegalArgumentException(grads.length + " gradients but " + sizes.length + " sizes");
        }
    }
}
