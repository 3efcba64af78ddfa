package org.dnnc.runtime.cuda;

import org.dnnc.runtime.cpu.Activation;
import org.dnnc.runtime.cpu.ConvGeometry;

/**
 * The 2-d convolution on the device: twin of {@link org.dnnc.runtime.cpu.Conv2d} (the same layouts
 * and arguments after the context, without the CPU's algorithm choice). Each pass runs through
 * cuDNN where it loads, the geometry has symmetric padding and the pass's workspace fits in {@code
 * scratch}; otherwise through dnnc's kernels:
 *
 * <ul>
 *   <li>a pointwise convolution (1x1, stride 1, no padding) is a GEMM on the input itself: one
 *       strided-batched GEMM over the batch forward and for the input gradient;
 *   <li>any other runs im2col ({@link CudaIm2col}) over a group of examples into {@code scratch},
 *       their column matrices side by side ({@code [C*kh*kw, group * oh*ow]}), then one
 *       strided-batched GEMM over the group (forward: {@code y_n = W col_n}; input gradient: {@code
 *       col_n = W^T dz_n}, then col2im). The group is as many examples as {@code scratch} holds
 *       column matrices for ({@link #examplesPerGroup}), which is how the compiler's plan sizes it;
 *   <li>the kernel gradient lays a group's columns (a pointwise convolution's input) and its dz side
 *       by side in {@code scratch} (dz through im2col too, as the columns of a 1x1 kernel), then
 *       adds one GEMM {@code dW += dz col^T} over the group's positions.
 * </ul>
 *
 * <p>The bias and activation of {@link #forward} follow the convolution as a channel-bias kernel
 * and an activation kernel, in place on {@code y} (the CUDA target's generated classes pass neither
 * where they apply both, with what follows, in one generated kernel). {@code scratch} overlaps no
 * operand.
 */
public final class CudaConv2d {

    private CudaConv2d() {}

    /**
     * Examples whose column matrices fit in {@code scratch} at once, at most {@code batch}.
     *
     * @throws IllegalArgumentException if it cannot hold one example's ({@code C*kh*kw * oh*ow} floats)
     */
    public static int examplesPerGroup(ConvGeometry g, DevBuf scratch, int batch) {
        long columns = (long) g.patchSize() * g.outHeight() * g.outWidth();
        long held = scratch == null ? 0 : scratch.size() / columns;
        if (held < 1) {
            throw new IllegalArgumentException("convolution " + g + " needs a scratch of at least " + columns
                    + " floats (one example's column matrix), got " + (scratch == null ? "none" : scratch.size()));
        }
        return (int) Math.min(held, batch);
    }

    /**
     * {@code y = act(conv(x, w) + bias)}; twin of {@code Conv2d.forward}. {@code bias} may be null,
     * and {@code scratch} for a pointwise convolution.
     */
    public static void forward(CudaContext ctx, ConvGeometry g, DevBuf x, DevBuf w, DevBuf bias, DevBuf y,
            DevBuf scratch, int batch, Activation act, float param) {
        int spatial = g.outHeight() * g.outWidth();
        Cudnn.Convolution cudnn = cudnn(ctx, g, batch, scratch);
        if (cudnn != null) {
            cudnn.forward(x, w, y, scratch);
        } else if (g.isPointwise()) {
            Gemm.sgemmStridedBatched(ctx, false, false, g.filters(), spatial, g.channels(), 1f, w, 0, g.channels(), 0,
                    x, 0, spatial, g.inputSize(), 0f, y, 0, spatial, g.outputSize(), batch);
        } else {
            int group = examplesPerGroup(g, scratch, batch);
            for (int first = 0; first < batch; first += group) {
                int count = Math.min(group, batch - first);
                CudaIm2col.im2colBatch(ctx, g, x.slice(first * g.inputSize(), count * g.inputSize()), scratch, count);
                Gemm.sgemmStridedBatched(ctx, false, false, g.filters(), spatial, g.patchSize(), 1f, w, 0,
                        g.patchSize(), 0, scratch, 0, count * spatial, spatial, 0f, y, first * g.outputSize(), spatial,
                        g.outputSize(), count);
            }
        }
        if (bias != null) {
            CudaElementwise.addChannelBias(ctx, y, bias, y, batch, g.filters(), spatial);
        }
        if (act != Activation.IDENTITY) {
            CudaActivations.forward(ctx, act, param, y, y, batch * g.outputSize());
        }
    }

    /** {@code dx = conv^T(dz, w)} ({@code +=} when {@code accumulate}); twin of {@code Conv2d.backwardInput}. */
    public static void backwardInput(CudaContext ctx, ConvGeometry g, DevBuf dz, DevBuf w, DevBuf dx, DevBuf scratch,
            int batch, boolean accumulate) {
        int spatial = g.outHeight() * g.outWidth();
        Cudnn.Convolution cudnn = cudnn(ctx, g, batch, scratch);
        if (cudnn != null) {
            cudnn.backwardData(w, dz, dx, scratch, accumulate);
        } else if (g.isPointwise()) {
            Gemm.sgemmStridedBatched(ctx, true, false, g.channels(), spatial, g.filters(), 1f, w, 0, g.channels(), 0,
                    dz, 0, spatial, g.outputSize(), accumulate ? 1f : 0f, dx, 0, spatial, g.inputSize(), batch);
        } else {
            int group = examplesPerGroup(g, scratch, batch);
            for (int first = 0; first < batch; first += group) {
                int count = Math.min(group, batch - first);
                Gemm.sgemmStridedBatched(ctx, true, false, g.patchSize(), spatial, g.filters(), 1f, w, 0,
                        g.patchSize(), 0, dz, first * g.outputSize(), spatial, g.outputSize(), 0f, scratch, 0,
                        count * spatial, spatial, count);
                CudaIm2col.col2imBatch(ctx, g, scratch, dx.slice(first * g.inputSize(), count * g.inputSize()), count,
                        accumulate);
            }
        }
    }

    /**
     * {@code dw = sum over the batch of dz_n (x) x_n} ({@code +=} when {@code accumulate}); twin of
     * {@code Conv2d.backwardWeights}. Without cuDNN, {@code scratch} holds a group's columns (a
     * pointwise convolution's input) and dz side by side, {@link #weightGradientFloats} an example.
     */
    public static void backwardWeights(CudaContext ctx, ConvGeometry g, DevBuf dz, DevBuf x, DevBuf dw,
            DevBuf scratch, int batch, boolean accumulate) {
        Cudnn.Convolution cudnn = cudnn(ctx, g, batch, scratch);
        if (cudnn != null) {
            cudnn.backwardFilter(x, dz, dw, scratch, accumulate);
            return;
        }
        int spatial = g.outHeight() * g.outWidth();
        int rows = g.isPointwise() ? g.channels() : g.patchSize();
        long perExample = weightGradientFloats(g);
        long held = scratch == null ? 0 : scratch.size() / perExample;
        if (held < 1) {
            throw new IllegalArgumentException("the kernel gradient of convolution " + g + " needs a scratch of at least "
                    + perExample + " floats (one example's columns and dz), got "
                    + (scratch == null ? "none" : scratch.size()));
        }
        int group = (int) Math.min(held, batch);
        // dz [N, O, oh*ow] as O rows of the group's positions side by side: the columns of a 1x1 "image" of O channels.
        ConvGeometry gradients = ConvGeometry.symmetric(g.filters(), g.outHeight(), g.outWidth(), g.filters(), 1, 1, 0);
        for (int first = 0; first < batch; first += group) {
            int count = Math.min(group, batch - first);
            int width = count * spatial;
            DevBuf columns = scratch.slice(0, rows * width);
            DevBuf dzs = scratch.slice(rows * width, g.filters() * width);
            DevBuf xs = x.slice(first * g.inputSize(), count * g.inputSize());
            if (g.isPointwise()) {
                ConvGeometry inputs = ConvGeometry.symmetric(g.channels(), g.height(), g.width(), g.channels(), 1, 1, 0);
                CudaIm2col.im2colBatch(ctx, inputs, xs, columns, count);
            } else {
                CudaIm2col.im2colBatch(ctx, g, xs, columns, count);
            }
            CudaIm2col.im2colBatch(ctx, gradients, dz.slice(first * g.outputSize(), count * g.outputSize()), dzs,
                    count);
            Gemm.sgemm(ctx, false, true, g.filters(), rows, width, 1f, dzs, 0, width, columns, 0, width,
                    accumulate || first > 0 ? 1f : 0f, dw, 0, rows);
        }
    }

    /**
     * Floats of scratch an example takes in {@link #backwardWeights} without cuDNN: its columns
     * ({@code C*kh*kw} rows, or the input's {@code C} for a pointwise convolution) and its dz ({@code
     * O} rows), {@code oh*ow} wide.
     */
    public static long weightGradientFloats(ConvGeometry g) {
        int rows = g.isPointwise() ? g.channels() : g.patchSize();
        return (long) (rows + g.filters()) * g.outHeight() * g.outWidth();
    }

    /**
     * The cuDNN convolution for this call, or null where the kernels' path runs it: no cuDNN, a
     * pointwise convolution (a plain GEMM), padding cuDNN cannot express, or a workspace larger than
     * the planned scratch.
     */
    private static Cudnn.Convolution cudnn(CudaContext ctx, ConvGeometry g, int batch, DevBuf scratch) {
        if (g.isPointwise() || scratch == null || !Cudnn.supports(g)) {
            return null;
        }
        Cudnn handle = ctx.cudnn();
        if (handle == null) {
            return null;
        }
        Cudnn.Convolution c = handle.plan(g, batch);
        return c.workspaceBytes() <= scratch.bytes() ? c : null;
    }
}
