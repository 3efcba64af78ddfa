package org.dnnc.runtime.cuda;

import org.dnnc.runtime.cpu.PoolGeometry;

/**
 * Pooling on the device ({@code pool.cu}): twins of {@link org.dnnc.runtime.cpu.Pool2d} and {@link
 * org.dnnc.runtime.cpu.GlobalAvgPool}, the same arguments after the context. The backward passes
 * gather per input pixel in the CPU's order, so they need no atomics and give the same sums.
 */
public final class CudaPool {

    private static final FixedKernel MAX_FORWARD = new FixedKernel("pool", "max_pool_forward");
    private static final FixedKernel MAX_BACKWARD = new FixedKernel("pool", "max_pool_backward");
    private static final FixedKernel AVG_FORWARD = new FixedKernel("pool", "avg_pool_forward");
    private static final FixedKernel AVG_BACKWARD = new FixedKernel("pool", "avg_pool_backward");
    private static final FixedKernel GLOBAL_FORWARD = new FixedKernel("pool", "global_avg_pool_forward");
    private static final FixedKernel GLOBAL_BACKWARD = new FixedKernel("pool", "global_avg_pool_backward");

    private CudaPool() {}

    /** Twin of {@code Pool2d.maxForward}. */
    public static void maxForward(CudaContext ctx, PoolGeometry g, DevBuf x, DevBuf y, int batch) {
        int planes = batch * g.channels();
        ctx.launch(ctx.kernel(MAX_FORWARD), (long) planes * g.outHeight() * g.outWidth(),
                geometry(ctx.args().ptr(x).ptr(y).i(planes), g));
    }

    /** Twin of {@code Pool2d.maxBackward}: each window's gradient goes to its first maximum. */
    public static void maxBackward(CudaContext ctx, PoolGeometry g, DevBuf x, DevBuf dy, DevBuf dx, int batch,
            boolean accumulate) {
        int planes = batch * g.channels();
        ctx.launch(ctx.kernel(MAX_BACKWARD), (long) planes * g.height() * g.width(),
                geometry(ctx.args().ptr(x).ptr(dy).ptr(dx).i(planes), g).i(accumulate ? 1 : 0));
    }

    /** Twin of {@code Pool2d.avgForward}. */
    public static void avgForward(CudaContext ctx, PoolGeometry g, DevBuf x, DevBuf y, int batch,
            boolean countIncludePad) {
        int planes = batch * g.channels();
        ctx.launch(ctx.kernel(AVG_FORWARD), (long) planes * g.outHeight() * g.outWidth(),
                geometry(ctx.args().ptr(x).ptr(y).i(planes), g).i(countIncludePad ? 1 : 0));
    }

    /** Twin of {@code Pool2d.avgBackward}. */
    public static void avgBackward(CudaContext ctx, PoolGeometry g, DevBuf dy, DevBuf dx, int batch,
            boolean countIncludePad, boolean accumulate) {
        int planes = batch * g.channels();
        ctx.launch(ctx.kernel(AVG_BACKWARD), (long) planes * g.height() * g.width(),
                geometry(ctx.args().ptr(dy).ptr(dx).i(planes), g).i(countIncludePad ? 1 : 0).i(accumulate ? 1 : 0));
    }

    /** Twin of {@code GlobalAvgPool.forward}: {@code y[n, c] = mean(x[n, c, :])}. */
    public static void globalAvgForward(CudaContext ctx, DevBuf x, DevBuf y, int batch, int channels, int spatial) {
        int planes = batch * channels;
        ctx.launch(ctx.kernel(GLOBAL_FORWARD), planes, ctx.args().ptr(x).ptr(y).i(planes).i(spatial));
    }

    /** Twin of {@code GlobalAvgPool.backward}. */
    public static void globalAvgBackward(CudaContext ctx, DevBuf dy, DevBuf dx, int batch, int channels, int spatial,
            boolean accumulate) {
        int planes = batch * channels;
        ctx.launch(ctx.kernel(GLOBAL_BACKWARD), (long) planes * spatial,
                ctx.args().ptr(dy).ptr(dx).i(planes).i(spatial).i(accumulate ? 1 : 0));
    }

    private static LaunchArgs geometry(LaunchArgs args, PoolGeometry g) {
        return args.i(g.height()).i(g.width()).i(g.kernelH()).i(g.kernelW()).i(g.strideH()).i(g.strideW()).i(g.padH())
                .i(g.padW()).i(g.outHeight()).i(g.outWidth());
    }
}
