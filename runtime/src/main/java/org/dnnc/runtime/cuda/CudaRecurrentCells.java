package org.dnnc.runtime.cuda;

/**
 * The point-wise arithmetic of the recurrent cells for a batch at one time step ({@code
 * recurrent.cu}); the GEMMs around it are {@link Gemm}. Twins of the cells of {@link
 * org.dnnc.runtime.cpu.Recurrent} ({@code Rnn}, {@code Lstm}, {@code Gru}: same formulas, gate order
 * {@code i, f, g, o} and {@code r, z, n} as PyTorch), which work on one example's rows of a
 * workspace: here each row argument is example 0's row and a stride (in floats) to the next
 * example's, so that rows can sit in any layout the plan chose. {@code xg} holds {@code W_ih x +
 * b_ih}, {@code hg} holds {@code W_hh h}.
 *
 * <p>These launch the cells alone, for a batch at one step in any layout; a whole layer, with its
 * loop over time steps, GEMMs and per-example lengths, is {@link CudaRecurrent}, whose step kernels
 * share the cells' arithmetic ({@code recurrent.cu}'s {@code __device__} functions).
 */
public final class CudaRecurrentCells {

    private static final FixedKernel RNN_FORWARD = new FixedKernel("recurrent", "rnn_forward");
    private static final FixedKernel RNN_BACKWARD = new FixedKernel("recurrent", "rnn_backward");
    private static final FixedKernel LSTM_FORWARD = new FixedKernel("recurrent", "lstm_forward");
    private static final FixedKernel LSTM_BACKWARD = new FixedKernel("recurrent", "lstm_backward");
    private static final FixedKernel GRU_FORWARD = new FixedKernel("recurrent", "gru_forward");
    private static final FixedKernel GRU_BACKWARD = new FixedKernel("recurrent", "gru_backward");

    private CudaRecurrentCells() {}

    /** A row argument: example 0's row in {@code buf} and the stride between examples' rows. */
    public record Rows(DevBuf buf, int stride) {}

    /** {@code h' = act(xg + hg + b_hh)} (tanh, or ReLU) into the saved activation and the new state. */
    public static void rnnForward(CudaContext ctx, Rows xg, Rows hg, DevBuf bHh, Rows act, Rows hCur, int batch,
            int hidden, boolean relu) {
        LaunchArgs a = rows(rows(rows(rows(ctx.args(), xg), hg).ptr(bHh), act), hCur);
        ctx.launch(ctx.kernel(RNN_FORWARD), (long) batch * hidden, a.i(batch).i(hidden).i(relu ? 1 : 0));
    }

    /** {@code d = dh * act'} over the saved activation and into {@code dxg}; {@code dh} is cleared. */
    public static void rnnBackward(CudaContext ctx, Rows act, Rows dh, Rows dxg, int batch, int hidden, boolean relu) {
        LaunchArgs a = rows(rows(rows(ctx.args(), act), dh), dxg);
        ctx.launch(ctx.kernel(RNN_BACKWARD), (long) batch * hidden, a.i(batch).i(hidden).i(relu ? 1 : 0));
    }

    /** The LSTM step: saves the gates ({@code act}, 4 x hidden per example) and {@code c'}; writes {@code h'}. */
    public static void lstmForward(CudaContext ctx, Rows xg, Rows hg, DevBuf bHh, Rows act, Rows cPrev, Rows cCur,
            Rows hCur, int batch, int hidden) {
        LaunchArgs a = rows(rows(rows(rows(rows(rows(ctx.args(), xg), hg).ptr(bHh), act), cPrev), cCur), hCur);
        ctx.launch(ctx.kernel(LSTM_FORWARD), (long) batch * hidden, a.i(batch).i(hidden));
    }

    /** The LSTM step's gradients: over {@code act} and into {@code dxg}; {@code dc} becomes {@code dct f}; {@code dh} is cleared. */
    public static void lstmBackward(CudaContext ctx, Rows act, Rows cPrev, Rows cCur, Rows dh, Rows dc, Rows dxg,
            int batch, int hidden) {
        LaunchArgs a = rows(rows(rows(rows(rows(rows(ctx.args(), act), cPrev), cCur), dh), dc), dxg);
        ctx.launch(ctx.kernel(LSTM_BACKWARD), (long) batch * hidden, a.i(batch).i(hidden));
    }

    /** The GRU step: saves {@code r, z, n} ({@code act}) and {@code hg_n + b_hn} ({@code hn}); writes {@code h'}. */
    public static void gruForward(CudaContext ctx, Rows xg, Rows hg, DevBuf bHh, Rows act, Rows hn, Rows hPrev,
            Rows hCur, int batch, int hidden) {
        LaunchArgs a = rows(rows(rows(rows(rows(rows(ctx.args(), xg), hg).ptr(bHh), act), hn), hPrev), hCur);
        ctx.launch(ctx.kernel(GRU_FORWARD), (long) batch * hidden, a.i(batch).i(hidden));
    }

    /** The GRU step's gradients: into {@code dxg} and over {@code act}; {@code dh} becomes {@code dh z}. */
    public static void gruBackward(CudaContext ctx, Rows act, Rows hn, Rows hPrev, Rows dh, Rows dxg, int batch,
            int hidden) {
        LaunchArgs a = rows(rows(rows(rows(rows(ctx.args(), act), hn), hPrev), dh), dxg);
        ctx.launch(ctx.kernel(GRU_BACKWARD), (long) batch * hidden, a.i(batch).i(hidden));
    }

    private static LaunchArgs rows(LaunchArgs args, Rows rows) {
        return args.ptr(rows.buf()).i(rows.stride());
    }
}
