package org.dnnc.runtime.cuda;

/**
 * Bands of rows on the device ({@code concat.cu}): twins of {@link
 * org.dnnc.runtime.cpu.Concat#place} and {@link org.dnnc.runtime.cpu.Concat#extract}, with the same
 * arguments after the context. A tensor is viewed as {@code [outer, inner]} around the axis, as
 * the CPU twin says; one launch copies every row's band.
 */
public final class CudaConcat {

    private static final FixedKernel BAND_COPY = new FixedKernel("concat", "band_copy");

    private CudaConcat() {}

    /** Copies {@code src [outer, srcInner]} into columns {@code [yOffset, yOffset + srcInner)} of {@code y [outer, yInner]}. */
    public static void place(CudaContext ctx, DevBuf src, int srcInner, DevBuf y, int yInner, int yOffset, int outer) {
        copy(ctx, src, srcInner, 0, y, yInner, yOffset, srcInner, outer);
    }

    /** Copies columns {@code [yOffset, yOffset + dstInner)} of {@code y [outer, yInner]} into {@code dst [outer, dstInner]}. */
    public static void extract(CudaContext ctx, DevBuf y, int yInner, int yOffset, DevBuf dst, int dstInner,
            int outer) {
        copy(ctx, y, yInner, yOffset, dst, dstInner, 0, dstInner, outer);
    }

    private static void copy(CudaContext ctx, DevBuf src, int srcInner, int srcOffset, DevBuf dst, int dstInner,
            int dstOffset, int width, int outer) {
        ctx.launch(ctx.kernel(BAND_COPY), (long) outer * width, ctx.args().ptr(src).i(srcInner).i(srcOffset).ptr(dst)
                .i(dstInner).i(dstOffset).i(width).i(outer));
    }
}
