package org.dnnc.runtime.cpu;

import java.nio.FloatBuffer;
import java.nio.IntBuffer;

/**
 * Recurrent layers (the cells of {@link RecurrentCell}) over a batch of sequences {@code x [N, T,
 * I]}, with PyTorch's weights ({@code w_ih [G*H, I]}, {@code w_hh [G*H, H]}, {@code b_ih}, {@code
 * b_hh [G*H]}), shape in a {@link RecurrentGeometry}, the batch size with each call.
 *
 * <p>Time is a loop, not an unrolled graph: the input projection of every step is one GEMM over
 * {@code N*T} rows, then each step is one GEMM {@code [N, H] x [H, G*H]} and the cell's arithmetic.
 * The forward pass keeps every step's gate activations and states in a caller-provided {@code
 * workspace} of {@link #workspaceFloats} floats; {@link #backward} reads them and then reuses the
 * same memory for the gate gradients, so a workspace serves one backward after its forward.
 * Backward runs back through time with one GEMM per step for the state's gradient, then the weight
 * gradients as one GEMM each over all steps ({@code dW_hh} from the saved states, {@code dW_ih} and
 * {@code dx} over {@code N*T} rows).
 *
 * <p>A training step through one layer is:
 *
 * <pre>{@code
 * Recurrent.forward(g, x, null, null, null, wIh, wHh, bIh, bHh, y, workspace, n);
 * Recurrent.backward(g, x, null, wIh, wHh, dy, null, workspace, dx, dwIh, dwHh, dbIh, dbHh, null, null, n, false);
 * }</pre>
 *
 * <p>Optional inputs, {@code null} when absent: per-example {@code lengths} (as PyTorch's packed
 * sequences: example {@code b} runs {@code lengths[b]} steps, its outputs past them are zero, its
 * last state is the state at its last valid step, and a reverse layer starts from that step), and
 * the initial states {@code h0} and, for the LSTM, {@code c0} ({@code [N, H]}, zero when absent).
 * Gradient outputs may be {@code null} when not needed; {@code accumulate} adds to them (GEMM's
 * beta) instead of overwriting, as in {@link Dense}.
 *
 * <p>Threads: every call runs on the calling thread; OpenBLAS may thread each GEMM (it does in a
 * {@link CpuContext} of more than two threads).
 */
public final class Recurrent {
    private Recurrent() {}

    /**
     * Floats of workspace a forward and backward pass of {@code batch} examples need: the input
     * projections ({@code N*T*G*H}), every step's gate activations ({@code T*N*G*H}) and states
     * ({@code (T+1)*N*H}, and as many for the LSTM's cell states, or {@code T*N*H} for the GRU's
     * {@code W_hn h + b_hn}), one step's hidden projection ({@code N*G*H}) and the carried
     * gradients ({@code N*H}, twice for the LSTM).
     */
    public static long workspaceFloats(RecurrentGeometry g, int batch) {
        if (batch < 0) {
            throw new IllegalArgumentException("negative batch " + batch);
        }
        long n = batch;
        long t = g.steps();
        long h = g.hidden();
        long gh = g.gateRows();
        return n * t * gh + t * n * gh + (t + 1) * n * h + auxFloats(g.cell(), n, t, h) + n * gh
                + n * h * (g.cell() == RecurrentCell.LSTM ? 2 : 1);
    }

    /**
     * Runs the layer: {@code y} gets every step's state {@code [N, T, H]} when {@code g.sequences()},
     * else the last state {@code [N, H]}; the workspace keeps what {@link #backward} and {@link
     * #lastState} read.
     *
     * @throws IllegalArgumentException if the workspace is too small or a length is outside {@code
     *     [0, T]}, before anything is written
     */
    public static void forward(RecurrentGeometry g, Buf x, IntBuffer lengths, Buf h0, Buf c0, Buf wIh, Buf wHh,
            Buf bIh, Buf bHh, Buf y, Buf workspace, int n) {
        check(g, lengths, workspace, n);
        int steps = g.steps();
        int hidden = g.hidden();
        int gh = g.gateRows();
        int nh = n * hidden;
        int actAt = act(g, n);
        int stateAt = states(g, n);
        int auxAt = aux(g, n);
        int hgAt = hg(g, n);
        FloatBuffer w = workspace.data;
        FloatBuffer ys = y.data;
        FloatBuffer bh = bHh.data;
        boolean lstm = g.cell() == RecurrentCell.LSTM;
        // The input projection of every step, with b_ih: rows (b, t) of the first block.
        Blas.sgemm(false, true, n * steps, gh, g.inputSize(), 1f, x, 0, g.inputSize(), wIh, 0, g.inputSize(), 0f,
                workspace, 0, gh);
        Activations.biasForward(Activation.IDENTITY, 0f, workspace, bIh, n * steps, gh);
        initialState(w, h0, stateAt, nh);
        if (lstm) {
            initialState(w, c0, auxAt, nh);
        }
        for (int s = 0; s < steps; s++) {
            Blas.sgemm(false, true, n, gh, hidden, 1f, workspace, stateAt + s * nh, hidden, wHh, 0, hidden, 0f,
                    workspace, hgAt, gh);
            for (int b = 0; b < n; b++) {
                int length = lengths == null ? steps : lengths.get(b);
                int hPrev = stateAt + s * nh + b * hidden;
                int hCur = hPrev + nh;
                if (s >= length) {
                    // Past its length an example's state stands still and its output is zero.
                    w.put(hCur, w, hPrev, hidden);
                    if (lstm) {
                        w.put(auxAt + (s + 1) * nh + b * hidden, w, auxAt + s * nh + b * hidden, hidden);
                    }
                    if (g.sequences()) {
                        zero(ys, (b * steps + s) * hidden, hidden);
                    }
                    continue;
                }
                int t = g.reverse() ? length - 1 - s : s;
                int xg = (b * steps + t) * gh;
                int hg = hgAt + b * gh;
                int act = actAt + (s * n + b) * gh;
                switch (g.cell()) {
                    case RNN_TANH, RNN_RELU -> Rnn.forward(w, bh, hidden, g.cell() == RecurrentCell.RNN_RELU, xg, hg,
                            act, hCur);
                    case LSTM -> Lstm.forward(w, bh, hidden, xg, hg, act, auxAt + s * nh + b * hidden,
                            auxAt + (s + 1) * nh + b * hidden, hCur);
                    case GRU -> Gru.forward(w, bh, hidden, xg, hg, act, auxAt + s * nh + b * hidden, hPrev, hCur);
                }
                if (g.sequences()) {
                    ys.put((b * steps + t) * hidden, w, hCur, hidden);
                }
            }
        }
        if (!g.sequences()) {
            ys.put(0, w, stateAt + steps * nh, nh);
        }
    }

    /**
     * Copies the last state of a {@link #forward} pass out of its workspace: {@code h [N, H]} and,
     * for the LSTM, the cell state {@code c [N, H]}; either may be {@code null}. With lengths, each
     * example's is the state at its last valid step.
     */
    public static void lastState(RecurrentGeometry g, Buf workspace, int n, Buf h, Buf c) {
        int nh = n * g.hidden();
        int stateAt = states(g, n);
        int auxAt = aux(g, n);
        if (h != null) {
            h.data.put(0, workspace.data, stateAt + g.steps() * nh, nh);
        }
        if (c != null && g.cell() == RecurrentCell.LSTM) {
            c.data.put(0, workspace.data, auxAt + g.steps() * nh, nh);
        }
    }

    /**
     * Back-propagates through time from the gradient {@code dy} of the forward's output (shaped as
     * {@code y}) and, optionally, {@code dhLast [N, H]}, the gradient of the last state beside a
     * sequence output (PyTorch's {@code h_n}). Reads {@code x}, the weights and the workspace of the
     * forward pass of the same batch, and overwrites the workspace. Writes {@code dx}, the weight and
     * bias gradients and the initial states' gradients {@code dh0}, {@code dc0}, each when not null.
     *
     * @throws IllegalArgumentException if the workspace is too small or a length is outside {@code
     *     [0, T]}, before anything is written
     */
    public static void backward(RecurrentGeometry g, Buf x, IntBuffer lengths, Buf wIh, Buf wHh, Buf dy, Buf dhLast,
            Buf workspace, Buf dx, Buf dwIh, Buf dwHh, Buf dbIh, Buf dbHh, Buf dh0, Buf dc0, int n,
            boolean accumulate) {
        check(g, lengths, workspace, n);
        int steps = g.steps();
        int hidden = g.hidden();
        int gh = g.gateRows();
        int nh = n * hidden;
        int actAt = act(g, n);
        int stateAt = states(g, n);
        int auxAt = aux(g, n);
        int dhAt = dh(g, n);
        int dcAt = dc(g, n);
        FloatBuffer w = workspace.data;
        FloatBuffer dys = dy.data;
        if (g.sequences()) {
            zero(w, dhAt, nh);
        } else {
            w.put(dhAt, dys, 0, nh);
        }
        if (dhLast != null) {
            for (int i = 0; i < nh; i++) {
                w.put(dhAt + i, w.get(dhAt + i) + dhLast.data.get(i));
            }
        }
        if (g.cell() == RecurrentCell.LSTM) {
            zero(w, dcAt, nh);
        }
        for (int s = steps - 1; s >= 0; s--) {
            for (int b = 0; b < n; b++) {
                int length = lengths == null ? steps : lengths.get(b);
                int act = actAt + (s * n + b) * gh;
                if (s >= length) {
                    // The state stood still: its gradient passes through, and no gate or input had a part.
                    zero(w, act, gh);
                    zero(w, (b * steps + s) * gh, gh);
                    continue;
                }
                int t = g.reverse() ? length - 1 - s : s;
                int dh = dhAt + b * hidden;
                if (g.sequences()) {
                    int from = (b * steps + t) * hidden;
                    for (int j = 0; j < hidden; j++) {
                        w.put(dh + j, w.get(dh + j) + dys.get(from + j));
                    }
                }
                int dxg = (b * steps + t) * gh;
                int hPrev = stateAt + s * nh + b * hidden;
                switch (g.cell()) {
                    case RNN_TANH, RNN_RELU -> Rnn.backward(w, hidden, g.cell() == RecurrentCell.RNN_RELU, act, dh,
                            dxg);
                    case LSTM -> Lstm.backward(w, hidden, act, auxAt + s * nh + b * hidden,
                            auxAt + (s + 1) * nh + b * hidden, dh, dcAt + b * hidden, dxg);
                    case GRU -> Gru.backward(w, hidden, act, auxAt + s * nh + b * hidden, hPrev, dh, dxg);
                }
            }
            Blas.sgemm(false, false, n, hidden, gh, 1f, workspace, actAt + s * n * gh, gh, wHh, 0, hidden, 1f,
                    workspace, dhAt, hidden);
        }
        if (dh0 != null) {
            dh0.data.put(0, w, dhAt, nh);
        }
        if (dc0 != null && g.cell() == RecurrentCell.LSTM) {
            dc0.data.put(0, w, dcAt, nh);
        }
        float beta = accumulate ? 1f : 0f;
        int rows = n * steps;
        int in = g.inputSize();
        if (dwHh != null) {
            // Step s's hidden-side gradients (rows (s, b)) against the state before it, slot s.
            Blas.sgemm(true, false, gh, hidden, rows, 1f, workspace, actAt, gh, workspace, stateAt, hidden, beta,
                    dwHh, 0, hidden);
        }
        if (dbHh != null) {
            columnSums(w, actAt, rows, gh, dbHh, accumulate);
        }
        if (dwIh != null) {
            Blas.sgemm(true, false, gh, in, rows, 1f, workspace, 0, gh, x, 0, in, beta, dwIh, 0, in);
        }
        if (dbIh != null) {
            columnSums(w, 0, rows, gh, dbIh, accumulate);
        }
        if (dx != null) {
            Blas.sgemm(false, false, rows, in, gh, 1f, workspace, 0, gh, wIh, 0, in, beta, dx, 0, in);
        }
    }

    /** The LSTM's cell states, the GRU's saved {@code W_hn h + b_hn}, or nothing. */
    private static long auxFloats(RecurrentCell cell, long n, long t, long h) {
        return switch (cell) {
            case LSTM -> (t + 1) * n * h;
            case GRU -> t * n * h;
            case RNN_TANH, RNN_RELU -> 0;
        };
    }

    private static void check(RecurrentGeometry g, IntBuffer lengths, Buf workspace, int n) {
        long needed = workspaceFloats(g, n);
        if (workspace.size() < needed) {
            throw new IllegalArgumentException("the workspace holds " + workspace.size() + " floats but a batch of "
                    + n + " needs " + needed);
        }
        if (lengths != null) {
            for (int b = 0; b < n; b++) {
                int length = lengths.get(b);
                if (length < 0 || length > g.steps()) {
                    throw new IllegalArgumentException("length " + length + " of example " + b
                            + " is outside [0, " + g.steps() + "]");
                }
            }
        }
    }

    private static void initialState(FloatBuffer w, Buf state, int at, int count) {
        if (state == null) {
            zero(w, at, count);
        } else {
            w.put(at, state.data, 0, count);
        }
    }

    private static void zero(FloatBuffer b, int from, int count) {
        for (int i = from; i < from + count; i++) {
            b.put(i, 0f);
        }
    }

    /** {@code out[c] (+)= sum_r src[from + r * cols + c]}, summed row by row in a heap array. */
    static void columnSums(FloatBuffer src, int from, int rows, int cols, Buf out, boolean accumulate) {
        float[] sums = Chunks.get().row(cols);
        for (int r = 0, at = from; r < rows; r++, at += cols) {
            for (int c = 0; c < cols; c++) {
                sums[c] += src.get(at + c);
            }
        }
        FloatBuffer o = out.data;
        for (int c = 0; c < cols; c++) {
            o.put(c, accumulate ? o.get(c) + sums[c] : sums[c]);
        }
    }

    // Where each block of the workspace starts for a batch of n (see workspaceFloats); the input
    // projections come first, at 0, where Activations.biasForward adds b_ih to them.

    private static int act(RecurrentGeometry g, int n) {
        return n * g.steps() * g.gateRows();
    }

    private static int states(RecurrentGeometry g, int n) {
        return act(g, n) + g.steps() * n * g.gateRows();
    }

    private static int aux(RecurrentGeometry g, int n) {
        return states(g, n) + (g.steps() + 1) * n * g.hidden();
    }

    private static int hg(RecurrentGeometry g, int n) {
        return aux(g, n) + (int) auxFloats(g.cell(), n, g.steps(), g.hidden());
    }

    private static int dh(RecurrentGeometry g, int n) {
        return hg(g, n) + n * g.gateRows();
    }

    private static int dc(RecurrentGeometry g, int n) {
        return dh(g, n) + n * g.hidden();
    }
}
