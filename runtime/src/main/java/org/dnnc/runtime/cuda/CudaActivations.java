package org.dnnc.runtime.cuda;

import org.dnnc.runtime.cpu.Activation;

/**
 * Activations and the dense layer's bias epilogues ({@code activation.cu}): twins of {@link
 * org.dnnc.runtime.cpu.Activations} and {@code Dense.backwardBias}, same arguments after the
 * context. Sigmoid, tanh and ELU are computed in double and rounded once, as on the CPU.
 */
public final class CudaActivations {

    private static final FixedKernel FORWARD = new FixedKernel("activation", "act_forward");
    private static final FixedKernel BACKWARD = new FixedKernel("activation", "act_backward");
    private static final FixedKernel BIAS_FORWARD = new FixedKernel("activation", "act_bias_forward");
    private static final FixedKernel BIAS_BACKWARD_DZ = new FixedKernel("activation", "act_bias_backward_dz");
    private static final FixedKernel BIAS_GRAD = new FixedKernel("activation", "bias_grad");

    private CudaActivations() {}

    /** The activation's code in {@code activation.cu}. */
    static int code(Activation act) {
        return switch (act) {
            case IDENTITY -> 0;
            case RELU -> 1;
            case LEAKY_RELU -> 2;
            case ELU -> 3;
            case SIGMOID -> 4;
            case TANH -> 5;
        };
    }

    /** {@code y = act(x)}; twin of {@code Activations.forward}. */
    public static void forward(CudaContext ctx, Activation act, float param, DevBuf x, DevBuf y, int n) {
        ctx.launch(ctx.kernel(FORWARD), n, ctx.args().i(code(act)).f(param).ptr(x).ptr(y).i(n));
    }

    /** {@code dx = dy * act'(y)} from the saved output; twin of {@code Activations.backward}. */
    public static void backward(CudaContext ctx, Activation act, float param, DevBuf y, DevBuf dy, DevBuf dx, int n) {
        ctx.launch(ctx.kernel(BACKWARD), n, ctx.args().i(code(act)).f(param).ptr(y).ptr(dy).ptr(dx).i(n));
    }

    /** {@code y[r, c] = act(y[r, c] + bias[c])} in place; twin of {@code Activations.biasForward}. */
    public static void biasForward(CudaContext ctx, Activation act, float param, DevBuf y, DevBuf bias, int rows,
            int cols) {
        ctx.launch(ctx.kernel(BIAS_FORWARD), (long) rows * cols,
                ctx.args().i(code(act)).f(param).ptr(y).ptr(bias).i(rows).i(cols));
    }

    /**
     * {@code dz = dy * act'(y)} and {@code db[c] = sum_r dz[r, c]} ({@code +=} when {@code
     * accumulateBias}; {@code db} may be null, {@code dz} may be {@code dy}); twin of {@code
     * Activations.biasBackward}.
     */
    public static void biasBackward(CudaContext ctx, Activation act, float param, DevBuf y, DevBuf dy, DevBuf dz,
            DevBuf db, int rows, int cols, boolean accumulateBias) {
        ctx.launch(ctx.kernel(BIAS_BACKWARD_DZ), (long) rows * cols,
                ctx.args().i(code(act)).f(param).ptr(y).ptr(dy).ptr(dz).i(rows).i(cols));
        if (db != null) {
            biasGrad(ctx, dz, db, rows, cols, accumulateBias);
        }
    }

    /**
     * {@code db[c] = sum_r dz[r, c]} ({@code +=} when {@code accumulate}), summed in double in a
     * fixed order (no atomics, so the same on every run); twin of {@code Dense.backwardBias}.
     */
    public static void biasGrad(CudaContext ctx, DevBuf dz, DevBuf db, int rows, int cols, boolean accumulate) {
        ctx.launch(ctx.kernel(BIAS_GRAD), (cols + 31) / 32, 1, 256, 0,
                ctx.args().ptr(dz).ptr(db).i(rows).i(cols).i(accumulate ? 1 : 0));
    }
}
