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
 * same memory for the gate gradients, so a workspace serves one backward after its forward. {@link
 * #infer} is the forward pass without a backward to follow: it keeps no gates.
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
 * <p>Threads: in a {@link CpuContext} of two threads ({@link Workers}) the batch is split in two
 * halves, forward and back through time side by side, each with its own input projection, per-step
 * GEMMs over its rows and its rows of {@code dx}; the weight gradients are split by gate rows. No
 * example depends on another and every sum keeps its order, so the results equal one thread's
 * (as far as OpenBLAS's single-threaded GEMM gives the same element for fewer rows, which its
 * kernels do). Otherwise every call runs on the calling thread, and OpenBLAS may thread each GEMM
 * (it does in a context of more than two threads).
 */
public final class Recurrent {
    private static final int FORWARD = 1;
    private static final int INFER = 2;
    private static final int BACKWARD = 3;
    private static final int WEIGHTS = 4;

    private static final ThreadLocal<Job> JOB = ThreadLocal.withInitial(Job::new);

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
        run(FORWARD, g, x, lengths, h0, c0, wIh, wHh, bIh, bHh, y, workspace, n);
    }

    /**
     * {@link #forward} without a backward pass to follow, as in prediction and evaluation: the same
     * outputs and {@link #lastState}, but no step's gate activations are kept, which saves writing
     * them. The workspace is sized as for {@link #forward}.
     *
     * @throws IllegalArgumentException if the workspace is too small or a length is outside {@code
     *     [0, T]}, before anything is written
     */
    public static void infer(RecurrentGeometry g, Buf x, IntBuffer lengths, Buf h0, Buf c0, Buf wIh, Buf wHh,
            Buf bIh, Buf bHh, Buf y, Buf workspace, int n) {
        run(INFER, g, x, lengths, h0, c0, wIh, wHh, bIh, bHh, y, workspace, n);
    }

    private static void run(int kind, RecurrentGeometry g, Buf x, IntBuffer lengths, Buf h0, Buf c0, Buf wIh,
            Buf wHh, Buf bIh, Buf bHh, Buf y, Buf workspace, int n) {
        check(g, lengths, workspace, n);
        if (split(n)) {
            Job job = JOB.get();
            job.set(kind, g, x, lengths, h0, c0, wIh, wHh, bIh, bHh, y, workspace, null, null, null, n, false);
            run(job);
        } else {
            forwardRange(g, x, lengths, h0, c0, wIh, wHh, bIh, bHh, y, workspace, n, 0, n, kind == FORWARD);
        }
        if (!g.sequences()) {
            int nh = n * g.hidden();
            y.data.put(0, workspace.data, states(g, n) + g.steps() * nh, nh);
        }
    }

    /**
     * The forward pass of examples {@code [from, to)}: their input projections, states and gates
     * depend on no other example's, so the two halves of a batch run side by side. The gates are
     * kept for backward only with {@code save}.
     */
    private static void forwardRange(RecurrentGeometry g, Buf x, IntBuffer lengths, Buf h0, Buf c0, Buf wIh,
            Buf wHh, Buf bIh, Buf bHh, Buf y, Buf workspace, int n, int from, int to, boolean save) {
        int steps = g.steps();
        int hidden = g.hidden();
        int gh = g.gateRows();
        int in = g.inputSize();
        int nh = n * hidden;
        int actAt = act(g, n);
        int stateAt = states(g, n);
        int auxAt = aux(g, n);
        int hgAt = hg(g, n);
        int count = to - from;
        FloatBuffer w = workspace.data;
        FloatBuffer ys = y.data;
        FloatBuffer bh = bHh.data;
        boolean lstm = g.cell() == RecurrentCell.LSTM;
        // The input projection of every step, with b_ih: rows (b, t) of the first block.
        Blas.sgemm(false, true, count * steps, gh, in, 1f, x, from * steps * in, in, wIh, 0, in, 0f, workspace,
                from * steps * gh, gh);
        addBias(w, bIh.data, from * steps, to * steps, gh);
        initialState(w, h0, stateAt, from * hidden, count * hidden);
        if (lstm) {
            initialState(w, c0, auxAt, from * hidden, count * hidden);
        }
        for (int s = 0; s < steps; s++) {
            Blas.sgemm(false, true, count, gh, hidden, 1f, workspace, stateAt + s * nh + from * hidden, hidden, wHh,
                    0, hidden, 0f, workspace, hgAt + from * gh, gh);
            for (int b = from; b < to; b++) {
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
                            act, hCur, save);
                    case LSTM -> Lstm.forward(w, bh, hidden, xg, hg, act, auxAt + s * nh + b * hidden,
                            auxAt + (s + 1) * nh + b * hidden, hCur, save);
                    case GRU -> Gru.forward(w, bh, hidden, xg, hg, act, auxAt + s * nh + b * hidden, hPrev, hCur,
                            save);
                }
                if (g.sequences()) {
                    ys.put((b * steps + t) * hidden, w, hCur, hidden);
                }
            }
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
        if (split(n)) {
            Job job = JOB.get();
            job.set(BACKWARD, g, x, lengths, null, null, wIh, wHh, null, null, dy, workspace, dx, null, null, n,
                    accumulate);
            run(job);
        } else {
            backwardRange(g, lengths, wIh, wHh, dy, workspace, dx, n, 0, n, accumulate);
        }
        if (dh0 != null) {
            dh0.data.put(0, w, dhAt, nh);
        }
        if (dc0 != null && g.cell() == RecurrentCell.LSTM) {
            dc0.data.put(0, w, dcAt, nh);
        }
        if (dwHh != null || dwIh != null) {
            if (split(gh)) {
                Job job = JOB.get();
                job.set(WEIGHTS, g, x, null, null, null, null, null, null, null, null, workspace, null, dwIh, dwHh,
                        n, accumulate);
                run(job);
            } else {
                weightRows(g, x, workspace, dwIh, dwHh, n, 0, gh, accumulate);
            }
        }
        int rows = n * steps;
        if (dbHh != null) {
            columnSums(w, act(g, n), rows, gh, dbHh, accumulate);
        }
        if (dbIh != null) {
            columnSums(w, 0, rows, gh, dbIh, accumulate);
        }
    }

    /**
     * Back through time for examples {@code [from, to)}, then their rows of {@code dx}: as in the
     * forward pass, each example's gradients depend on no other example's.
     */
    private static void backwardRange(RecurrentGeometry g, IntBuffer lengths, Buf wIh, Buf wHh, Buf dy,
            Buf workspace, Buf dx, int n, int from, int to, boolean accumulate) {
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
        for (int s = steps - 1; s >= 0; s--) {
            for (int b = from; b < to; b++) {
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
                    addRow(w, dh, dys, (b * steps + t) * hidden, hidden);
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
            Blas.sgemm(false, false, to - from, hidden, gh, 1f, workspace, actAt + (s * n + from) * gh, gh, wHh, 0,
                    hidden, 1f, workspace, dhAt + from * hidden, hidden);
        }
        if (dx != null) {
            int in = g.inputSize();
            Blas.sgemm(false, false, (to - from) * steps, in, gh, 1f, workspace, from * steps * gh, gh, wIh, 0, in,
                    accumulate ? 1f : 0f, dx, from * steps * in, in);
        }
    }

    /**
     * Rows {@code [from, to)} of the weight gradients, each one GEMM over every step: {@code dW_hh}
     * from the saved states, {@code dW_ih} from {@code x}.
     */
    private static void weightRows(RecurrentGeometry g, Buf x, Buf workspace, Buf dwIh, Buf dwHh, int n, int from,
            int to, boolean accumulate) {
        int hidden = g.hidden();
        int gh = g.gateRows();
        int in = g.inputSize();
        int rows = n * g.steps();
        float beta = accumulate ? 1f : 0f;
        if (dwHh != null) {
            // Step s's hidden-side gradients (rows (s, b)) against the state before it, slot s.
            Blas.sgemm(true, false, to - from, hidden, rows, 1f, workspace, act(g, n) + from, gh, workspace,
                    states(g, n), hidden, beta, dwHh, from * hidden, hidden);
        }
        if (dwIh != null) {
            Blas.sgemm(true, false, to - from, in, rows, 1f, workspace, from, gh, x, 0, in, beta, dwIh, from * in,
                    in);
        }
    }

    /** Whether to split a call over two threads ({@link Workers}) along a dimension this long. */
    private static boolean split(int length) {
        return Workers.threads() >= 2 && length >= 2;
    }

    private static void run(Job job) {
        try {
            Workers.runTwo(job);
        } finally {
            job.clear();
        }
    }

    /** {@code w[at, at + count) += src[from, from + count)}, staged in heap arrays. */
    private static void addRow(FloatBuffer w, int at, FloatBuffer src, int from, int count) {
        Chunks scratch = Chunks.get();
        float[] sum = scratch.row2(count);
        float[] add = scratch.row3(count);
        w.get(at, sum, 0, count);
        src.get(from, add, 0, count);
        for (int c = 0; c < count; c++) {
            sum[c] += add[c];
        }
        w.put(at, sum, 0, count);
    }

    /** {@code w[r, :] += bias} for rows {@code [from, to)} of {@code cols} floats, each staged in a heap array. */
    private static void addBias(FloatBuffer w, FloatBuffer bias, int from, int to, int cols) {
        Chunks scratch = Chunks.get();
        float[] b = scratch.row2(cols);
        float[] row = scratch.row3(cols);
        bias.get(0, b, 0, cols);
        for (int at = from * cols, end = to * cols; at < end; at += cols) {
            w.get(at, row, 0, cols);
            for (int c = 0; c < cols; c++) {
                row[c] += b[c];
            }
            w.put(at, row, 0, cols);
        }
    }

    /**
     * One call split in two, handed to {@link Workers} without allocating: the arguments sit in this
     * per-caller object for the duration of the call. {@code FORWARD}, {@code INFER} and {@code
     * BACKWARD} split the batch, {@code WEIGHTS} the gate rows of the weight gradients.
     */
    private static final class Job implements Workers.Parts {
        private int kind;
        private RecurrentGeometry g;
        private Buf x;
        private IntBuffer lengths;
        private Buf h0;
        private Buf c0;
        private Buf wIh;
        private Buf wHh;
        private Buf bIh;
        private Buf bHh;
        /** {@code y} forward, {@code dy} backward. */
        private Buf y;
        private Buf workspace;
        private Buf dx;
        private Buf dwIh;
        private Buf dwHh;
        private int n;
        private boolean accumulate;

        void set(int kind, RecurrentGeometry g, Buf x, IntBuffer lengths, Buf h0, Buf c0, Buf wIh, Buf wHh, Buf bIh,
                Buf bHh, Buf y, Buf workspace, Buf dx, Buf dwIh, Buf dwHh, int n, boolean accumulate) {
            this.kind = kind;
            this.g = g;
            this.x = x;
            this.lengths = lengths;
            this.h0 = h0;
            this.c0 = c0;
            this.wIh = wIh;
            this.wHh = wHh;
            this.bIh = bIh;
            this.bHh = bHh;
            this.y = y;
            this.workspace = workspace;
            this.dx = dx;
            this.dwIh = dwIh;
            this.dwHh = dwHh;
            this.n = n;
            this.accumulate = accumulate;
        }

        /** Drops the references, so that a finished call keeps no views alive. */
        void clear() {
            set(0, null, null, null, null, null, null, null, null, null, null, null, null, null, null, 0, false);
        }

        @Override
        public void run(int part, int parts) {
            int length = kind == WEIGHTS ? g.gateRows() : n;
            int from = (int) ((long) length * part / parts);
            int to = (int) ((long) length * (part + 1) / parts);
            switch (kind) {
                case FORWARD, INFER -> forwardRange(g, x, lengths, h0, c0, wIh, wHh, bIh, bHh, y, workspace, n, from,
                        to, kind == FORWARD);
                case BACKWARD -> backwardRange(g, lengths, wIh, wHh, y, workspace, dx, n, from, to, accumulate);
                case WEIGHTS -> weightRows(g, x, workspace, dwIh, dwHh, n, from, to, accumulate);
                default -> throw new AssertionError(kind);
            }
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

    private static void initialState(FloatBuffer w, Buf state, int at, int from, int count) {
        if (state == null) {
            zero(w, at + from, count);
        } else {
            w.put(at + from, state.data, from, count);
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
