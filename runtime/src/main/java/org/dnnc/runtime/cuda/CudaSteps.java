package org.dnnc.runtime.cuda;

/**
 * Moves along the time axis of sequences {@code [N, T, ...]} on the device ({@code steps.cu}):
 * twins of {@link org.dnnc.runtime.cpu.Steps}, with the same arguments after the context ({@code
 * DevBuf} int views for ids and lengths). A length outside {@code [0, steps]} cannot throw on the
 * device: the example's rows of the result become NaN.
 */
public final class CudaSteps {

    private static final FixedKernel SHIFT_RIGHT = new FixedKernel("steps", "steps_shift_right");
    private static final FixedKernel LAST = new FixedKernel("steps", "steps_last");
    private static final FixedKernel LAST_BACKWARD = new FixedKernel("steps", "steps_last_backward");

    private CudaSteps() {}

    /** {@code y[b, 0] = fill}, {@code y[b, t] = x[b, t - 1]}: ids {@code [n, steps]}; {@code y} must not be {@code x}. */
    public static void shiftRight(CudaContext ctx, DevBuf x, DevBuf y, int n, int steps, int fill) {
        ctx.launch(ctx.kernel(SHIFT_RIGHT), (long) n * steps, ctx.args().ptr(x).ptr(y).i(n).i(steps).i(fill));
    }

    /**
     * {@code y[b] = x[b, last]} of {@code x [n, steps, features]}, where {@code last} is the final
     * step or, with {@code lengths}, {@code lengths[b] - 1}; zero for a length of 0.
     */
    public static void last(CudaContext ctx, DevBuf x, DevBuf lengths, DevBuf y, int n, int steps, int features) {
        ctx.launch(ctx.kernel(LAST), (long) n * features,
                ctx.args().ptr(x).ptr(lengths).ptr(y).i(n).i(steps).i(features));
    }

    /** The gradient of {@link #last}: {@code dy [n, features]} at each example's last step of {@code dx}, zero elsewhere. */
    public static void lastBackward(CudaContext ctx, DevBuf dy, DevBuf lengths, DevBuf dx, int n, int steps,
            int features) {
        ctx.launch(ctx.kernel(LAST_BACKWARD), (long) n * steps * features,
                ctx.args().ptr(dy).ptr(lengths).ptr(dx).i(n).i(steps).i(features));
    }
}
