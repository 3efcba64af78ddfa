package org.dnnc.runtime.cuda;

/**
 * The losses on the device. Softmax cross-entropy ({@code softmax.cu}): the twin of {@link
 * org.dnnc.runtime.cpu.Losses#softmaxCrossEntropy} and {@code Losses.countCorrect} in one pass,
 * with the loss and the count of correct rows left in device memory, so that a step never waits
 * for the host; read {@code result} back once per step or less. Mean squared error and binary
 * cross-entropy on logits ({@code losses.cu}): the twins of {@link org.dnnc.runtime.cpu.Losses#mse}
 * and {@link org.dnnc.runtime.cpu.Losses#bceWithLogits}, with the value left in a device float.
 *
 * <p>{@code result} ({@value #RESULT_SIZE} floats) receives {@code [mean loss, correct rows,
 * counted rows]}; {@code scratch} ({@link #scratchSize(int)} floats) holds the per-row losses and
 * hits. A label outside {@code [0, classes)} (other than {@code ignore}) cannot throw on the device
 * as the CPU twin does: the loss becomes NaN, which the training loop's check of the loss reports.
 */
public final class CudaLosses {

    /** The floats of {@code result}: mean loss, correct rows, counted rows. */
    public static final int RESULT_SIZE = 3;

    private static final FixedKernel COUNT = new FixedKernel("softmax", "xent_count");
    private static final FixedKernel ROWS = new FixedKernel("softmax", "xent_rows");
    private static final FixedKernel REDUCE = new FixedKernel("softmax", "xent_reduce");
    private static final FixedKernel MSE_VALUE = new FixedKernel("losses", "mse_value");
    private static final FixedKernel MSE_GRAD = new FixedKernel("losses", "mse_grad");
    private static final FixedKernel BCE_VALUE = new FixedKernel("losses", "bce_value");
    private static final FixedKernel BCE_GRAD = new FixedKernel("losses", "bce_grad");

    private CudaLosses() {}

    /** The scratch floats {@link #softmaxCrossEntropy} needs for {@code batch} rows. */
    public static int scratchSize(int batch) {
        return 2 * batch;
    }

    /**
     * Mean softmax cross-entropy over the batch and {@code dlogits = (softmax - onehot) / batch}
     * ({@code dlogits} may be {@code logits}, or null for validation); labels are an int view.
     */
    public static void softmaxCrossEntropy(CudaContext ctx, DevBuf logits, DevBuf labels, DevBuf dlogits, int batch,
            int classes, DevBuf scratch, DevBuf result) {
        run(ctx, logits, labels, dlogits, batch, classes, false, 0, scratch, result);
    }

    /** As {@link #softmaxCrossEntropy(CudaContext, DevBuf, DevBuf, DevBuf, int, int, DevBuf, DevBuf)}, skipping rows labelled {@code ignore}. */
    public static void softmaxCrossEntropy(CudaContext ctx, DevBuf logits, DevBuf labels, DevBuf dlogits, int batch,
            int classes, int ignore, DevBuf scratch, DevBuf result) {
        run(ctx, logits, labels, dlogits, batch, classes, true, ignore, scratch, result);
    }

    private static void run(CudaContext ctx, DevBuf logits, DevBuf labels, DevBuf dlogits, int batch, int classes,
            boolean ignoring, int ignore, DevBuf scratch, DevBuf result) {
        if (scratch.size() < scratchSize(batch) || result.size() < RESULT_SIZE) {
            throw new IllegalArgumentException("softmax cross-entropy of " + batch + " rows needs " + scratchSize(batch)
                    + " scratch floats and " + RESULT_SIZE + " result floats, got " + scratch.size() + " and " + result.size());
        }
        DevBuf rowLoss = scratch.slice(0, batch);
        DevBuf rowCorrect = scratch.slice(batch, batch);
        int ignoringFlag = ignoring ? 1 : 0;
        ctx.launch(ctx.kernel(COUNT), 1, 1, 256, 0, ctx.args().ptr(labels).i(batch).i(ignoringFlag).i(ignore).ptr(result));
        ctx.launch(ctx.kernel(ROWS), CudaSoftmax.blocks(batch), 1, 256, 0, ctx.args().ptr(logits).ptr(labels).ptr(dlogits)
                .ptr(rowLoss).ptr(rowCorrect).ptr(result).i(batch).i(classes).i(ignoringFlag).i(ignore));
        ctx.launch(ctx.kernel(REDUCE), 1, 1, 256, 0, ctx.args().ptr(rowLoss).ptr(rowCorrect).ptr(result).i(batch));
    }

    /**
     * Mean squared error over {@code n} elements; twin of {@code Losses.mse(pred, target, dpred,
     * dtarget, n)}, same arguments after the context. {@code loss[0] = mean((pred - target)^2)},
     * {@code dpred = 2 (pred - target) / n}, {@code dtarget = -dpred}, each gradient times {@code
     * upstream[0]} when {@code upstream} is not null (a weighted loss's gradient, read on the device)
     * and else as if it were 1. Any of {@code dpred}, {@code dtarget}, {@code upstream} and {@code loss}
     * may be null: the value is one 256-thread block summing in double in a fixed order, the
     * gradients one pass, each launched only when its result is wanted.
     */
    public static void mse(CudaContext ctx, DevBuf pred, DevBuf target, DevBuf dpred, DevBuf dtarget, int n,
            DevBuf upstream, DevBuf loss) {
        regression(ctx, MSE_VALUE, MSE_GRAD, pred, target, dpred, dtarget, n, upstream, loss);
    }

    /**
     * Binary cross-entropy on logits over {@code n} elements; twin of {@code
     * Losses.bceWithLogits(logits, target, dlogits, dtarget, n)}, same arguments after the context:
     * {@code loss[0] = mean(max(x, 0) - x t + log(1 + exp(-|x|)))}, {@code dlogits = (sigmoid(x) - t)
     * / n}, {@code dtarget = -x / n}; {@code upstream}, {@code loss} and the nulls as {@link #mse}.
     */
    public static void bceWithLogits(CudaContext ctx, DevBuf logits, DevBuf target, DevBuf dlogits, DevBuf dtarget,
            int n, DevBuf upstream, DevBuf loss) {
        regression(ctx, BCE_VALUE, BCE_GRAD, logits, target, dlogits, dtarget, n, upstream, loss);
    }

    private static void regression(CudaContext ctx, FixedKernel value, FixedKernel gradient, DevBuf x, DevBuf target,
            DevBuf dx, DevBuf dtarget, int n, DevBuf upstream, DevBuf loss) {
        if (dx != null || dtarget != null) {
            ctx.launch(ctx.kernel(gradient), n, ctx.args().ptr(x).ptr(target).ptr(dx).ptr(dtarget).ptr(upstream).i(n));
        }
        if (loss != null) {
            ctx.launch(ctx.kernel(value), 1, 1, 256, 0, ctx.args().ptr(x).ptr(target).ptr(loss).i(n));
        }
    }
}
