package org.dnnc.runtime.cpu;

import java.nio.FloatBuffer;
import java.nio.IntBuffer;

/**
 * A GRU decoder that attends over values at every step (Bahdanau's encoder–decoder), over a batch:
 * from the state {@code g} (the initial state {@code h0}, or zero, before the first step), each step
 * {@code s} computes the context {@code c_s} of additive attention with query {@code g} over the
 * values {@code z [N, T, Dv]} (see {@link Attention}), then {@code g = GRU([x_s; c_s], g)}, and
 * outputs {@code [g; c_s]}: {@code y [N, S, H + Dv]}, ready for a dense layer over both. Fed the
 * target shifted right as {@code x} (teacher forcing), this is the training step of a translation
 * model. Shapes are in a {@link DecoderGeometry}; with per-example value {@code lengths} the
 * attention gives the steps past them weight zero.
 *
 * <p>Time is a loop: the input side's projection of every step is one GEMM over {@code N*S} rows,
 * and so is the projection of every value for the attention; each step is then one GEMM for the
 * query's projection, one for the context's part of the gates and one for the hidden side, plus the
 * attention's and the cell's arithmetic. The forward pass keeps every step's gates, states,
 * {@code tanh}s, weights and contexts in a caller-provided {@code workspace} of {@link
 * #workspaceFloats} floats, which {@link #backward} reads and partly overwrites.
 *
 * <p>Threads: every call runs on the calling thread; OpenBLAS may thread each GEMM.
 */
public final class AttentionDecoder {
    private AttentionDecoder() {}

    /** Where each block of the workspace starts for a batch of n (see {@link #workspaceFloats}). */
    private record Layout(int xp, int act, int states, int hn, int hg, int pz, int pg, int tanh, int alpha,
            int contexts, int dh, int dc, long end) {
        static Layout of(DecoderGeometry g, int n) {
            long s = g.steps();
            long t = g.valueSteps();
            long gh = g.gateRows();
            long h = g.hidden();
            long a = g.units();
            long xp = 0;
            long act = xp + n * s * gh;
            long states = act + s * n * gh;
            long hn = states + (s + 1) * n * h;
            long hg = hn + s * n * h;
            long pz = hg + n * gh;
            long pg = pz + n * t * a;
            long tanh = pg + s * n * a;
            long alpha = tanh + s * n * t * a;
            long contexts = alpha + s * n * t;
            long dh = contexts + n * s * g.valueFeatures();
            long dc = dh + n * h;
            long end = dc + (long) n * g.valueFeatures();
            return new Layout((int) xp, (int) act, (int) states, (int) hn, (int) hg, (int) pz, (int) pg, (int) tanh,
                    (int) alpha, (int) contexts, (int) dh, (int) dc, end);
        }
    }

    /**
     * Floats of workspace a forward and backward pass of {@code batch} examples need: the gates'
     * input side ({@code N*S*3H}), every step's gate activations ({@code S*N*3H}), states ({@code
     * (S+1)*N*H}) and {@code W_hn g + b_hn} ({@code S*N*H}), one step's hidden side ({@code N*3H}),
     * the values' and the queries' projections ({@code N*T*A}, {@code S*N*A}), every step's {@code
     * tanh}s ({@code S*N*T*A}), weights ({@code S*N*T}) and contexts ({@code N*S*Dv}), and the
     * carried gradients ({@code N*H + N*Dv}).
     */
    public static long workspaceFloats(DecoderGeometry g, int batch) {
        if (batch < 0) {
            throw new IllegalArgumentException("negative batch " + batch);
        }
        return Layout.of(g, batch).end();
    }

    /**
     * Runs the decoder: {@code y [N, S, H + Dv]} gets every step's state and context, and {@code
     * weights [N, S, T]} every step's attention weights, each when not null.
     *
     * @throws IllegalArgumentException if the workspace is too small or a length is outside {@code
     *     [0, T]}, before anything is written
     */
    public static void forward(DecoderGeometry g, Buf x, Buf values, IntBuffer lengths, Buf h0, Buf wIh, Buf wHh,
            Buf bIh, Buf bHh, Buf w, Buf v, Buf y, Buf weights, Buf workspace, int n) {
        Layout l = check(g, lengths, workspace, n);
        int steps = g.steps();
        int in = g.inputSize();
        int hidden = g.hidden();
        int gh = g.gateRows();
        int t = g.valueSteps();
        int dv = g.valueFeatures();
        int units = g.units();
        int ihCols = in + dv;
        int wCols = hidden + dv;
        int out = g.outputSize();
        int nh = n * hidden;
        FloatBuffer ws = workspace.data;
        Blas.sgemm(false, true, n * steps, gh, in, 1f, x, 0, in, wIh, 0, ihCols, 0f, workspace, l.xp(), gh);
        Activations.biasForward(Activation.IDENTITY, 0f, workspace, bIh, n * steps, gh);
        Blas.sgemm(false, true, n * t, units, dv, 1f, values, 0, dv, w, hidden, wCols, 0f, workspace, l.pz(), units);
        if (h0 == null) {
            Attention.zero(ws, l.states(), nh);
        } else {
            ws.put(l.states(), h0.data, 0, nh);
        }
        float[] scores = Chunks.get().row2(t);
        for (int s = 0; s < steps; s++) {
            int state = l.states() + s * nh;
            int pg = l.pg() + s * n * units;
            Blas.sgemm(false, true, n, units, hidden, 1f, workspace, state, hidden, w, 0, wCols, 0f, workspace, pg,
                    units);
            for (int b = 0; b < n; b++) {
                int row = s * n + b;
                int length = lengths == null ? t : lengths.get(b);
                Attention.weighRow(ws, pg + b * units, l.pz() + b * t * units, l.tanh() + row * t * units,
                        l.alpha() + row * t, v.data, units, length, t, scores);
                Attention.contextRow(ws, l.alpha() + row * t, values.data, b * t * dv, dv, length, ws,
                        l.contexts() + (b * steps + s) * dv);
            }
            // The context's part of every example's gates at this step: rows (b, s) of the input side.
            Blas.sgemm(false, true, n, gh, dv, 1f, workspace, l.contexts() + s * dv, steps * dv, wIh, in, ihCols, 1f,
                    workspace, l.xp() + s * gh, steps * gh);
            Blas.sgemm(false, true, n, gh, hidden, 1f, workspace, state, hidden, wHh, 0, hidden, 0f, workspace, l.hg(),
                    gh);
            for (int b = 0; b < n; b++) {
                int row = s * n + b;
                int next = state + nh + b * hidden;
                Gru.forward(ws, bHh.data, hidden, l.xp() + (b * steps + s) * gh, l.hg() + b * gh,
                        l.act() + row * gh, l.hn() + row * hidden, state + b * hidden, next, true);
                if (y != null) {
                    int at = (b * steps + s) * out;
                    y.data.put(at, ws, next, hidden);
                    y.data.put(at + hidden, ws, l.contexts() + (b * steps + s) * dv, dv);
                }
                if (weights != null) {
                    weights.data.put((b * steps + s) * t, ws, l.alpha() + row * t, t);
                }
            }
        }
    }

    /**
     * Back-propagates {@code dy [N, S, H + Dv]}, the gradient of the forward's output, through the
     * forward pass of the same batch, whose workspace it reads and overwrites. Writes {@code dx},
     * {@code dValues}, the cell's and the attention's weight gradients and {@code dh0}, each when not
     * null; {@code accumulate} adds to them instead of overwriting.
     *
     * @throws IllegalArgumentException if the workspace is too small or a length is outside {@code
     *     [0, T]}, before anything is written
     */
    public static void backward(DecoderGeometry g, Buf x, Buf values, IntBuffer lengths, Buf wIh, Buf wHh, Buf w,
            Buf v, Buf dy, Buf workspace, Buf dx, Buf dValues, Buf dwIh, Buf dwHh, Buf dbIh, Buf dbHh, Buf dw, Buf dv,
            Buf dh0, int n, boolean accumulate) {
        Layout l = check(g, lengths, workspace, n);
        int steps = g.steps();
        int in = g.inputSize();
        int hidden = g.hidden();
        int gh = g.gateRows();
        int t = g.valueSteps();
        int vf = g.valueFeatures();
        int units = g.units();
        int ihCols = in + vf;
        int wCols = hidden + vf;
        int out = g.outputSize();
        int nh = n * hidden;
        FloatBuffer ws = workspace.data;
        FloatBuffer dys = dy.data;
        // dValues' attention part is added step by step; the projections' part comes last, by GEMM.
        if (dValues != null && !accumulate) {
            Attention.zero(dValues.data, 0, n * t * vf);
        }
        float[] dvSums = Chunks.get().row(units);
        float[] dAlpha = Chunks.get().row2(t);
        // The values' projections are no longer needed: their slots take their gradients.
        Attention.zero(ws, l.pz(), n * t * units);
        Attention.zero(ws, l.dh(), nh);
        for (int s = steps - 1; s >= 0; s--) {
            int state = l.states() + s * nh;
            for (int b = 0; b < n; b++) {
                int row = s * n + b;
                int dh = l.dh() + b * hidden;
                int from = (b * steps + s) * out;
                for (int j = 0; j < hidden; j++) {
                    ws.put(dh + j, ws.get(dh + j) + dys.get(from + j));
                }
                Gru.backward(ws, hidden, l.act() + row * gh, l.hn() + row * hidden, state + b * hidden, dh,
                        l.xp() + (b * steps + s) * gh);
            }
            Blas.sgemm(false, false, n, hidden, gh, 1f, workspace, l.act() + s * n * gh, gh, wHh, 0, hidden, 1f,
                    workspace, l.dh(), hidden);
            // The context's gradient: its own output's, and through its part of the gates.
            Blas.sgemm(false, false, n, vf, gh, 1f, workspace, l.xp() + s * gh, steps * gh, wIh, in, ihCols, 0f,
                    workspace, l.dc(), vf);
            int pg = l.pg() + s * n * units;
            for (int b = 0; b < n; b++) {
                int row = s * n + b;
                int dc = l.dc() + b * vf;
                int from = (b * steps + s) * out + hidden;
                for (int d = 0; d < vf; d++) {
                    ws.put(dc + d, ws.get(dc + d) + dys.get(from + d));
                }
                int length = lengths == null ? t : lengths.get(b);
                Attention.backwardRow(ws, l.alpha() + row * t, l.tanh() + row * t * units, pg + b * units,
                        l.pz() + b * t * units, v.data, values.data, b * t * vf, ws, dc,
                        dValues == null ? null : dValues.data, units, vf, length, dAlpha, dvSums);
            }
            // The query was this step's starting state.
            Blas.sgemm(false, false, n, hidden, units, 1f, workspace, pg, units, w, 0, wCols, 1f, workspace, l.dh(),
                    hidden);
        }
        // Before the column sums below, which reuse dvSums' scratch.
        if (dv != null) {
            for (int a = 0; a < units; a++) {
                dv.data.put(a, accumulate ? dv.data.get(a) + dvSums[a] : dvSums[a]);
            }
        }
        if (dh0 != null) {
            for (int i = 0; i < nh; i++) {
                dh0.data.put(i, (accumulate ? dh0.data.get(i) : 0f) + ws.get(l.dh() + i));
            }
        }
        float beta = accumulate ? 1f : 0f;
        int rows = n * steps;
        if (dwHh != null) {
            Blas.sgemm(true, false, gh, hidden, rows, 1f, workspace, l.act(), gh, workspace, l.states(), hidden, beta,
                    dwHh, 0, hidden);
        }
        if (dbHh != null) {
            Recurrent.columnSums(ws, l.act(), rows, gh, dbHh, accumulate);
        }
        if (dwIh != null) {
            Blas.sgemm(true, false, gh, in, rows, 1f, workspace, l.xp(), gh, x, 0, in, beta, dwIh, 0, ihCols);
            Blas.sgemm(true, false, gh, vf, rows, 1f, workspace, l.xp(), gh, workspace, l.contexts(), vf, beta, dwIh,
                    in, ihCols);
        }
        if (dbIh != null) {
            Recurrent.columnSums(ws, l.xp(), rows, gh, dbIh, accumulate);
        }
        if (dx != null) {
            Blas.sgemm(false, false, rows, in, gh, 1f, workspace, l.xp(), gh, wIh, 0, ihCols, beta, dx, 0, in);
        }
        if (dw != null) {
            Blas.sgemm(true, false, units, hidden, rows, 1f, workspace, l.pg(), units, workspace, l.states(), hidden,
                    beta, dw, 0, wCols);
            Blas.sgemm(true, false, units, vf, n * t, 1f, workspace, l.pz(), units, values, 0, vf, beta, dw, hidden,
                    wCols);
        }
        if (dValues != null) {
            Blas.sgemm(false, false, n * t, vf, units, 1f, workspace, l.pz(), units, w, hidden, wCols, 1f, dValues, 0,
                    vf);
        }
    }

    private static Layout check(DecoderGeometry g, IntBuffer lengths, Buf workspace, int n) {
        Layout l = Layout.of(g, n);
        if (l.end() > Integer.MAX_VALUE || workspace.size() < l.end()) {
            throw new IllegalArgumentException("the decoder workspace holds " + workspace.size()
                    + " floats but a batch of " + n + " needs " + l.end());
        }
        if (lengths != null) {
            for (int b = 0; b < n; b++) {
                int length = lengths.get(b);
                if (length < 0 || length > g.valueSteps()) {
                    throw new IllegalArgumentException("length " + length + " of example " + b + " is outside [0, "
                            + g.valueSteps() + "]");
                }
            }
        }
        return l;
    }
}
