package org.dnnc.runtime.cuda;

/**
 * Embedding lookup and table gradient on the device ({@code embedding.cu}): twins of {@link
 * org.dnnc.runtime.cpu.Embedding#forward} and {@link org.dnnc.runtime.cpu.Embedding#backward};
 * {@code ids} is an int view. An id outside {@code [0, vocab)} cannot throw on the device: its
 * output row becomes NaN and its gradient is dropped. The gradient adds rows that share an id with
 * atomics, so such sums may differ from the CPU's in their last bits.
 */
public final class CudaEmbedding {

    private static final FixedKernel FORWARD = new FixedKernel("embedding", "embedding_forward");
    private static final FixedKernel BACKWARD = new FixedKernel("embedding", "embedding_backward");

    private CudaEmbedding() {}

    /** {@code out[r, :] = table[ids[r], :]}. */
    public static void forward(CudaContext ctx, DevBuf ids, DevBuf table, DevBuf out, int rows, int vocab, int dim) {
        ctx.launch(ctx.kernel(FORWARD), (long) rows * dim, ctx.args().ptr(ids).ptr(table).ptr(out).i(rows).i(vocab).i(dim));
    }

    /** {@code dTable = 0}, then {@code dTable[ids[r], :] += dOut[r, :]}. */
    public static void backward(CudaContext ctx, DevBuf ids, DevBuf dOut, DevBuf dTable, int rows, int vocab, int dim) {
        ctx.zero(dTable.slice(0, vocab * dim));
        ctx.launch(ctx.kernel(BACKWARD), (long) rows * dim, ctx.args().ptr(ids).ptr(dOut).ptr(dTable).i(rows).i(vocab)
                .i(dim));
    }
}
