package org.dnnc.runtime.cuda;

import org.dnnc.runtime.cpu.ConvGeometry;

/**
 * Column matrices of a convolution on the device ({@code im2col.cu}): twins of {@link
 * org.dnnc.runtime.cpu.Im2col}, for the convolution path without cuDNN (im2col + {@link Gemm}).
 * The batched forms lay a whole batch's columns side by side ({@code [patch, batch * oh * ow]}), so
 * that one GEMM computes the convolution of the batch.
 */
public final class CudaIm2col {

    private static final FixedKernel IM2COL = new FixedKernel("im2col", "im2col");
    private static final FixedKernel COL2IM = new FixedKernel("im2col", "col2im");

    private CudaIm2col() {}

    /** Twin of {@code Im2col.im2col}: one example at {@code x[xOffset ..]}, rows {@code ldCol} apart. */
    public static void im2col(CudaContext ctx, ConvGeometry g, DevBuf x, int xOffset, DevBuf col, int colOffset,
            int ldCol) {
        im2col(ctx, g, x, xOffset, col, colOffset, ldCol, 0, 1);
    }

    /**
     * The columns of {@code batch} examples side by side: {@code col [patchSize, batch * oh * ow]},
     * example {@code n} in columns {@code [n * oh * ow, (n + 1) * oh * ow)}.
     */
    public static void im2colBatch(CudaContext ctx, ConvGeometry g, DevBuf x, DevBuf col, int batch) {
        int spatial = g.outHeight() * g.outWidth();
        im2col(ctx, g, x, 0, col, 0, batch * spatial, spatial, batch);
    }

    /** Twin of {@code Im2col.col2im}: {@code dx[xOffset ..] (+)= col2im(col)}. */
    public static void col2im(CudaContext ctx, ConvGeometry g, DevBuf col, int colOffset, int ldCol, DevBuf dx,
            int xOffset, boolean accumulate) {
        col2im(ctx, g, col, colOffset, ldCol, 0, dx, xOffset, accumulate, 1);
    }

    /** The adjoint of {@link #im2colBatch}: {@code dx (+)= col2im} of the side-by-side columns of {@code batch} examples. */
    public static void col2imBatch(CudaContext ctx, ConvGeometry g, DevBuf col, DevBuf dx, int batch, boolean accumulate) {
        int spatial = g.outHeight() * g.outWidth();
        col2im(ctx, g, col, 0, batch * spatial, spatial, dx, 0, accumulate, batch);
    }

    private static void im2col(CudaContext ctx, ConvGeometry g, DevBuf x, int xOffset, DevBuf col, int colOffset,
            int ldCol, int colStride, int batch) {
        long work = (long) batch * g.patchSize() * g.outHeight() * g.outWidth();
        ctx.launch(ctx.kernel(IM2COL), work, geometry(ctx.args().ptr(x).i(xOffset).i(g.inputSize()).ptr(col)
                .i(colOffset).i(ldCol).i(colStride).i(batch), g));
    }

    private static void col2im(CudaContext ctx, ConvGeometry g, DevBuf col, int colOffset, int ldCol, int colStride,
            DevBuf dx, int xOffset, boolean accumulate, int batch) {
        long work = (long) batch * g.inputSize();
        ctx.launch(ctx.kernel(COL2IM), work, geometry(ctx.args().ptr(col).i(colOffset).i(ldCol).i(colStride).ptr(dx)
                .i(xOffset).i(g.inputSize()).i(accumulate ? 1 : 0).i(batch), g));
    }

    private static LaunchArgs geometry(LaunchArgs args, ConvGeometry g) {
        return args.i(g.channels()).i(g.height()).i(g.width()).i(g.kernelH()).i(g.kernelW()).i(g.strideH())
                .i(g.strideW()).i(g.padTop()).i(g.padLeft()).i(g.outHeight()).i(g.outWidth());
    }
}
