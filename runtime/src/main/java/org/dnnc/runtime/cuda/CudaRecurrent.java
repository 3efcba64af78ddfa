package org.dnnc.runtime.cuda;

import org.dnnc.runtime.cpu.Activation;
import org.dnnc.runtime.cpu.Recurrent;
import org.dnnc.runtime.cpu.RecurrentCell;
import org.dnnc.runtime.cpu.RecurrentGeometry;

/**
 * Recurrent layers on the device: the twin of {@link Recurrent}, with the same arguments after the
 * context ({@code DevBuf} for {@code Buf}, {@code lengths} an int view) and the same workspace
 * layout and size ({@link #workspaceFloats}), so that the plan the compiler makes for the CPU's
 * workspace serves both.
 *
 * <p>Forward: the input projection of all steps is one {@link Gemm} over {@code N*T} rows, with
 * {@code b_ih} added by {@link CudaActivations#biasForward}; then each step is one GEMM {@code
 * [N, H] x [H, G*H]} and one launch of {@code recurrent_step_forward} ({@code recurrent.cu}), the
 * cell of {@link CudaRecurrentCells} with each example's length and direction applied. Backward
 * runs back through time with one step kernel and one GEMM per step, then the weight gradients
 * as one GEMM each over all steps and the bias gradients as column sums ({@link
 * CudaActivations#biasGrad}). Nothing waits for the host.
 *
 * <p>Differences from the CPU: a length outside {@code [0, T]} cannot throw on the device (the CPU
 * checks before writing anything); that example's states, and so its outputs, become NaN, and in
 * backward its state gradient does. The GEMMs are cuBLAS's, whose sums may differ from OpenBLAS's in
 * the last bits.
 */
public final class CudaRecurrent {

    private static final FixedKernel STEP_FORWARD = new FixedKernel("recurrent", "recurrent_step_forward");
    private static final FixedKernel STEP_BACKWARD = new FixedKernel("recurrent", "recurrent_step_backward");

    private CudaRecurrent() {}

    /** Floats of workspace a forward and backward pass of {@code batch} examples need: {@link Recurrent#workspaceFloats}. */
    public static long workspaceFloats(RecurrentGeometry g, int batch) {
        return Recurrent.workspaceFloats(g, batch);
    }

    /**
     * Runs the layer, as {@link Recurrent#forward}: {@code y} gets every step's state {@code [N, T,
     * H]} when {@code g.sequences()}, else the last state {@code [N, H]}; the workspace keeps what
     * {@link #backward} and {@link #lastState} read. {@code lengths}, {@code h0} and {@code c0} may
     * be {@code null}.
     *
     * @throws IllegalArgumentException if the workspace is too small
     */
    public static void forward(CudaContext ctx, RecurrentGeometry g, DevBuf x, DevBuf lengths, DevBuf h0, DevBuf c0,
            DevBuf wIh, DevBuf wHh, DevBuf bIh, DevBuf bHh, DevBuf y, DevBuf workspace, int n) {
        Layout l = Layout.of(g, n, workspace);
        int steps = g.steps();
        int in = g.inputSize();
        int rows = n * steps;
        Gemm.sgemm(ctx, false, true, rows, l.gh, in, 1f, x, 0, in, wIh, 0, in, 0f, workspace, 0, l.gh);
        CudaActivations.biasForward(ctx, Activation.IDENTITY, 0f, workspace.slice(0, rows * l.gh), bIh, rows, l.gh);
        initialState(ctx, h0, workspace.slice(l.states, l.nh));
        if (g.cell() == RecurrentCell.LSTM) {
            initialState(ctx, c0, workspace.slice(l.aux, l.nh));
        }
        DevBuf sequence = g.sequences() ? y : null;
        for (int s = 0; s < steps; s++) {
            Gemm.sgemm(ctx, false, true, n, l.gh, g.hidden(), 1f, workspace, l.states + s * l.nh, g.hidden(), wHh, 0,
                    g.hidden(), 0f, workspace, l.hg, l.gh);
            ctx.launch(ctx.kernel(STEP_FORWARD), (long) l.nh, ctx.args().ptr(workspace).i(0).i(l.hg).i(l.act)
                    .i(l.states).i(l.aux).ptr(bHh).ptr(sequence).i(g.hidden()).ptr(lengths).i(cellCode(g.cell())).i(n).i(steps)
                    .i(g.hidden()).i(s).i(g.reverse() ? 1 : 0));
        }
        if (!g.sequences()) {
            ctx.copy(workspace.slice(l.states + steps * l.nh, l.nh), y.slice(0, l.nh));
        }
    }

    /**
     * The twin of {@link Recurrent#infer}, a pass no backward follows: on the device the step kernel
     * writes the gates into the workspace as it goes, so keeping them costs nothing and this is
     * {@link #forward}.
     *
     * @throws IllegalArgumentException if the workspace is too small
     */
    public static void infer(CudaContext ctx, RecurrentGeometry g, DevBuf x, DevBuf lengths, DevBuf h0, DevBuf c0,
            DevBuf wIh, DevBuf wHh, DevBuf bIh, DevBuf bHh, DevBuf y, DevBuf workspace, int n) {
        forward(ctx, g, x, lengths, h0, c0, wIh, wHh, bIh, bHh, y, workspace, n);
    }

    /**
     * Copies the last state of a {@link #forward} pass out of its workspace, as {@link
     * Recurrent#lastState}: {@code h [N, H]} and, for the LSTM, {@code c [N, H]}; either may be
     * {@code null}.
     */
    public static void lastState(CudaContext ctx, RecurrentGeometry g, DevBuf workspace, int n, DevBuf h, DevBuf c) {
        Layout l = Layout.of(g, n, workspace);
        if (h != null) {
            ctx.copy(workspace.slice(l.states + g.steps() * l.nh, l.nh), h.slice(0, l.nh));
        }
        if (c != null && g.cell() == RecurrentCell.LSTM) {
            ctx.copy(workspace.slice(l.aux + g.steps() * l.nh, l.nh), c.slice(0, l.nh));
        }
    }

    /**
     * Back-propagates through time, as {@link Recurrent#backward}: from {@code dy} (shaped as the
     * forward's {@code y}) and, optionally, {@code dhLast [N, H]}; reads {@code x}, the weights and
     * the workspace of the forward pass of the same batch and overwrites the workspace; writes
     * each gradient that is not {@code null} ({@code accumulate} adds to them instead).
     *
     * @throws IllegalArgumentException if the workspace is too small
     */
    public static void backward(CudaContext ctx, RecurrentGeometry g, DevBuf x, DevBuf lengths, DevBuf wIh,
            DevBuf wHh, DevBuf dy, DevBuf dhLast, DevBuf workspace, DevBuf dx, DevBuf dwIh, DevBuf dwHh,
            DevBuf dbIh, DevBuf dbHh, DevBuf dh0, DevBuf dc0, int n, boolean accumulate) {
        Layout l = Layout.of(g, n, workspace);
        int steps = g.steps();
        int hidden = g.hidden();
        int in = g.inputSize();
        int rows = n * steps;
        DevBuf dh = workspace.slice(l.dh, l.nh);
        if (g.sequences()) {
            ctx.zero(dh);
        } else {
            ctx.copy(dy.slice(0, l.nh), dh);
        }
        if (dhLast != null) {
            CudaElementwise.accumulate(ctx, dh, dhLast, l.nh);
        }
        if (g.cell() == RecurrentCell.LSTM) {
            ctx.zero(workspace.slice(l.dc, l.nh));
        }
        DevBuf sequence = g.sequences() ? dy : null;
        for (int s = steps - 1; s >= 0; s--) {
            ctx.launch(ctx.kernel(STEP_BACKWARD), (long) l.nh, ctx.args().ptr(workspace).i(l.act).i(l.states).i(l.aux)
                    .i(l.dh).i(l.dc).ptr(sequence).i(hidden).ptr(lengths).i(cellCode(g.cell())).i(n).i(steps).i(hidden).i(s)
                    .i(g.reverse() ? 1 : 0));
            Gemm.sgemm(ctx, false, false, n, hidden, l.gh, 1f, workspace, l.act + s * n * l.gh, l.gh, wHh, 0, hidden,
                    1f, workspace, l.dh, hidden);
        }
        float beta = accumulate ? 1f : 0f;
        if (dx != null) {
            Gemm.sgemm(ctx, false, false, rows, in, l.gh, 1f, workspace, 0, l.gh, wIh, 0, in, beta, dx, 0, in);
        }
        if (dh0 != null) {
            ctx.copy(dh, dh0.slice(0, l.nh));
        }
        if (dc0 != null && g.cell() == RecurrentCell.LSTM) {
            ctx.copy(workspace.slice(l.dc, l.nh), dc0.slice(0, l.nh));
        }
        if (dwHh != null) {
            // Step s's gate gradients (rows (s, b)) against the state before it, slot s.
            Gemm.sgemm(ctx, true, false, l.gh, hidden, rows, 1f, workspace, l.act, l.gh, workspace, l.states, hidden,
                    beta, dwHh, 0, hidden);
        }
        if (dwIh != null) {
            Gemm.sgemm(ctx, true, false, l.gh, in, rows, 1f, workspace, 0, l.gh, x, 0, in, beta, dwIh, 0, in);
        }
        if (dbHh != null) {
            CudaActivations.biasGrad(ctx, workspace.slice(l.act, rows * l.gh), dbHh, rows, l.gh, accumulate);
        }
        if (dbIh != null) {
            CudaActivations.biasGrad(ctx, workspace.slice(0, rows * l.gh), dbIh, rows, l.gh, accumulate);
        }
    }

    /** The code of {@code cell} in {@code recurrent.cu} ({@code DNNC_RNN_TANH}...). */
    static int cellCode(RecurrentCell cell) {
        return switch (cell) {
            case RNN_TANH -> 0;
            case RNN_RELU -> 1;
            case LSTM -> 2;
            case GRU -> 3;
        };
    }

    private static void initialState(CudaContext ctx, DevBuf state, DevBuf slot) {
        if (state == null) {
            ctx.zero(slot);
        } else {
            ctx.copy(state.slice(0, slot.size()), slot);
        }
    }

    /**
     * Where each block of the workspace starts for a batch of {@code n}, as {@link Recurrent} lays
     * it out: the input projections at 0, the saved gates, the states, the LSTM's cell states or
     * the GRU's saved {@code W_hn h + b_hn}, one step's hidden projection, the carried gradients.
     */
    private record Layout(int gh, int nh, int act, int states, int aux, int hg, int dh, int dc) {
        static Layout of(RecurrentGeometry g, int n, DevBuf workspace) {
            long needed = Recurrent.workspaceFloats(g, n);
            if (workspace.size() < needed) {
                throw new IllegalArgumentException("the workspace holds " + workspace.size()
                        + " floats but a batch of " + n + " needs " + needed);
            }
            int t = g.steps();
            int gh = g.gateRows();
            int nh = n * g.hidden();
            int act = n * t * gh;
            int states = act + t * n * gh;
            int aux = states + (t + 1) * nh;
            int auxFloats = switch (g.cell()) {
                case LSTM -> (t + 1) * nh;
                case GRU -> t * nh;
                case RNN_TANH, RNN_RELU -> 0;
            };
            int hg = aux + auxFloats;
            int dh = hg + n * gh;
            return new Layout(gh, nh, act, states, aux, hg, dh, dh + nh);
        }
    }
}
