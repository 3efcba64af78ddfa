package org.dnnc.runtime.cuda;

/**
 * Element-wise kernels ({@code elementwise.cu}): each method queues on the context's stream the
 * operation of its CPU twin in {@link org.dnnc.runtime.cpu.Elementwise}, with the same arguments
 * after the context. Copies are {@link CudaContext#copy}.
 */
public final class CudaElementwise {

    private static final FixedKernel FILL = new FixedKernel("elementwise", "ew_fill");
    private static final FixedKernel SCALE = new FixedKernel("elementwise", "ew_scale");
    private static final FixedKernel ADD = new FixedKernel("elementwise", "ew_add");
    private static final FixedKernel SUB = new FixedKernel("elementwise", "ew_sub");
    private static final FixedKernel MUL = new FixedKernel("elementwise", "ew_mul");
    private static final FixedKernel MUL_BACKWARD = new FixedKernel("elementwise", "ew_mul_backward");
    private static final FixedKernel ACCUMULATE = new FixedKernel("elementwise", "ew_accumulate");
    private static final FixedKernel CHANNEL_BIAS = new FixedKernel("elementwise", "ew_add_channel_bias");
    private static final FixedKernel CHANNEL_BIAS_GRAD = new FixedKernel("elementwise", "ew_channel_bias_grad");

    private CudaElementwise() {}

    /** {@code dst[0..n) = value}; twin of {@code Elementwise.fill}. */
    public static void fill(CudaContext ctx, DevBuf dst, int n, float value) {
        ctx.launch(ctx.kernel(FILL), n, ctx.args().ptr(dst).i(n).f(value));
    }

    /** {@code dst *= s}; twin of {@code Elementwise.scale}. */
    public static void scale(CudaContext ctx, DevBuf dst, int n, float s) {
        ctx.launch(ctx.kernel(SCALE), n, ctx.args().ptr(dst).i(n).f(s));
    }

    /** {@code y = a + b}; twin of {@code Elementwise.add}. */
    public static void add(CudaContext ctx, DevBuf a, DevBuf b, DevBuf y, int n) {
        ctx.launch(ctx.kernel(ADD), n, ctx.args().ptr(a).ptr(b).ptr(y).i(n));
    }

    /** {@code y = a - b}; twin of {@code Elementwise.sub}. */
    public static void sub(CudaContext ctx, DevBuf a, DevBuf b, DevBuf y, int n) {
        ctx.launch(ctx.kernel(SUB), n, ctx.args().ptr(a).ptr(b).ptr(y).i(n));
    }

    /** {@code y = a * b}; twin of {@code Elementwise.mul}. */
    public static void mul(CudaContext ctx, DevBuf a, DevBuf b, DevBuf y, int n) {
        ctx.launch(ctx.kernel(MUL), n, ctx.args().ptr(a).ptr(b).ptr(y).i(n));
    }

    /** {@code da = dy * b}, {@code db = dy * a} (either may be null); twin of {@code Elementwise.mulBackward}. */
    public static void mulBackward(CudaContext ctx, DevBuf a, DevBuf b, DevBuf dy, DevBuf da, DevBuf db, int n) {
        ctx.launch(ctx.kernel(MUL_BACKWARD), n, ctx.args().ptr(a).ptr(b).ptr(dy).ptr(da).ptr(db).i(n));
    }

    /** {@code dst += src}; twin of {@code Elementwise.accumulate}. */
    public static void accumulate(CudaContext ctx, DevBuf dst, DevBuf src, int n) {
        ctx.launch(ctx.kernel(ACCUMULATE), n, ctx.args().ptr(dst).ptr(src).i(n));
    }

    /** {@code y[b, c, s] = x[b, c, s] + bias[c]}; twin of {@code Elementwise.addChannelBias}. */
    public static void addChannelBias(CudaContext ctx, DevBuf x, DevBuf bias, DevBuf y, int batch, int channels,
            int spatial) {
        ctx.launch(ctx.kernel(CHANNEL_BIAS), (long) batch * channels * spatial,
                ctx.args().ptr(x).ptr(bias).ptr(y).i(batch).i(channels).i(spatial));
    }

    /**
     * {@code db[c] = sum over examples and positions of dz[b, c, :]} ({@code +=} when {@code
     * accumulate}), one block per channel in double; twin of {@code Conv2d.backwardBias} (a fused
     * activation's part of {@code Conv2d.biasBackward} is {@link CudaActivations#backward}).
     */
    public static void channelBiasGrad(CudaContext ctx, DevBuf dz, DevBuf db, int batch, int channels, int spatial,
            boolean accumulate) {
        ctx.launch(ctx.kernel(CHANNEL_BIAS_GRAD), channels, 1, 256, 0,
                ctx.args().ptr(dz).ptr(db).i(batch).i(channels).i(spatial).i(accumulate ? 1 : 0));
    }
}
