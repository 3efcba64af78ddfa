package org.dnnc.runtime.cuda;

/**
 * Softmax and log-softmax over rows ({@code softmax.cu}, one warp per row): twins of {@link
 * org.dnnc.runtime.cpu.Softmax}, same arguments after the context.
 */
public final class CudaSoftmax {

    private static final FixedKernel FORWARD = new FixedKernel("softmax", "softmax_forward");
    private static final FixedKernel BACKWARD = new FixedKernel("softmax", "softmax_backward");
    private static final FixedKernel LOG_FORWARD = new FixedKernel("softmax", "log_softmax_forward");
    private static final FixedKernel LOG_BACKWARD = new FixedKernel("softmax", "log_softmax_backward");

    /** Rows per 256-thread block in the warp-per-row kernels. */
    static final int ROWS_PER_BLOCK = 8;

    private CudaSoftmax() {}

    /** {@code y = softmax(x)} per row; twin of {@code Softmax.forward}. */
    public static void forward(CudaContext ctx, DevBuf x, DevBuf y, int rows, int cols) {
        rows(ctx, FORWARD, x, null, y, rows, cols);
    }

    /** {@code dx = y * (dy - sum(dy * y))}; twin of {@code Softmax.backward}. */
    public static void backward(CudaContext ctx, DevBuf y, DevBuf dy, DevBuf dx, int rows, int cols) {
        rows(ctx, BACKWARD, y, dy, dx, rows, cols);
    }

    /** {@code y = log_softmax(x)} per row; twin of {@code Softmax.logForward}. */
    public static void logForward(CudaContext ctx, DevBuf x, DevBuf y, int rows, int cols) {
        rows(ctx, LOG_FORWARD, x, null, y, rows, cols);
    }

    /** {@code dx = dy - exp(y) * sum(dy)}; twin of {@code Softmax.logBackward}. */
    public static void logBackward(CudaContext ctx, DevBuf y, DevBuf dy, DevBuf dx, int rows, int cols) {
        rows(ctx, LOG_BACKWARD, y, dy, dx, rows, cols);
    }

    private static void rows(CudaContext ctx, FixedKernel k, DevBuf a, DevBuf b, DevBuf out, int rows, int cols) {
        LaunchArgs args = ctx.args().ptr(a);
        if (b != null) {
            args.ptr(b);
        }
        args.ptr(out).i(rows).i(cols);
        ctx.launch(ctx.kernel(k), blocks(rows), 1, 256, 0, args);
    }

    /** Blocks for one warp per row. */
    static int blocks(int rows) {
        return Math.max(1, (rows + ROWS_PER_BLOCK - 1) / ROWS_PER_BLOCK);
    }
}
