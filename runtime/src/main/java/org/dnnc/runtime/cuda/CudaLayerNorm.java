package org.dnnc.runtime.cuda;

/**
 * Layer normalization over the last axis of {@code rows x cols} on the device ({@code
 * layernorm.cu}): twins of {@link org.dnnc.runtime.cpu.LayerNorm#forward} and {@link
 * org.dnnc.runtime.cpu.LayerNorm#backward}, with the same arguments after the context. One warp
 * per row (eight to a block, as {@link CudaSoftmax}), sums in double as on the CPU; the parameter gradients add per-warp partial sums in a
 * fixed order, so they are the same on every run (not necessarily the CPU's last bit).
 */
public final class CudaLayerNorm {

    private static final FixedKernel FORWARD = new FixedKernel("layernorm", "ln_forward");
    private static final FixedKernel BACKWARD_INPUT = new FixedKernel("layernorm", "ln_backward_input");
    private static final FixedKernel BACKWARD_PARAMS = new FixedKernel("layernorm", "ln_backward_params");

    private CudaLayerNorm() {}

    /**
     * {@code y = layer_norm(x)}; {@code saveMean} and {@code saveInvStd} ({@code [rows]}) receive
     * each row's mean and {@code 1 / sqrt(var + eps)} for backward, or are skipped when {@code null}.
     */
    public static void forward(CudaContext ctx, DevBuf x, DevBuf gamma, DevBuf beta, DevBuf y, DevBuf saveMean,
            DevBuf saveInvStd, int rows, int cols, float eps) {
        requirePair(saveMean, saveInvStd);
        ctx.launch(ctx.kernel(FORWARD), CudaSoftmax.blocks(rows), 1, 256, 0, ctx.args().ptr(x).ptr(gamma).ptr(beta)
                .ptr(y).ptr(saveMean).ptr(saveInvStd).i(rows).i(cols).f(eps));
    }

    /**
     * The gradients of {@link #forward}, as the CPU twin's: {@code dx} (needs {@code gamma}), {@code
     * dgamma}, {@code dbeta}, each skipped when {@code null}; the saved statistics, or both {@code
     * null} to recompute them from {@code x} with {@code eps}. {@code dx} may be {@code dy}.
     */
    public static void backward(CudaContext ctx, DevBuf x, DevBuf dy, DevBuf gamma, DevBuf saveMean, DevBuf saveInvStd,
            DevBuf dx, DevBuf dgamma, DevBuf dbeta, int rows, int cols, float eps, boolean accumulateInput,
            boolean accumulateParams) {
        requirePair(saveMean, saveInvStd);
        if (dgamma != null || dbeta != null) {
            // Before dx, which may overwrite dy.
            ctx.launch(ctx.kernel(BACKWARD_PARAMS), (cols + 31) / 32, 1, 256, 0, ctx.args().ptr(x).ptr(dy)
                    .ptr(saveMean).ptr(saveInvStd).ptr(dgamma).ptr(dbeta).i(rows).i(cols).f(eps)
                    .i(accumulateParams ? 1 : 0));
        }
        if (dx != null) {
            ctx.launch(ctx.kernel(BACKWARD_INPUT), CudaSoftmax.blocks(rows), 1, 256, 0, ctx.args().ptr(x).ptr(dy)
                    .ptr(gamma).ptr(saveMean).ptr(saveInvStd).ptr(dx).i(rows).i(cols).f(eps)
                    .i(accumulateInput ? 1 : 0));
        }
    }

    private static void requirePair(DevBuf mean, DevBuf invStd) {
        if ((mean == null) != (invStd == null)) {
            throw new IllegalArgumentException("layer norm statistics: give both the means and the inverse standard"
                    + " deviations, or neither");
        }
    }
}
