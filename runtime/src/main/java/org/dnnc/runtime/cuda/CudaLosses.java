package org.dnnc.runtime.cuda;

/**
 * Softmax cross-entropy on the device ({@code softmax.cu}): the twin of {@link
 * org.dnnc.runtime.cpu.Losses#softmaxCrossEntropy} and {@code Losses.countCorrect} in one pass,
 * with the loss and the count of correct rows left in device memory, so that a step never waits
 * for the host; read {@code result} back once per step or less.
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
}
