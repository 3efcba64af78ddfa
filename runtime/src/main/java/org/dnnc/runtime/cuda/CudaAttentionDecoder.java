package org.dnnc.runtime.cuda;

import org.dnnc.runtime.cpu.Activation;
import org.dnnc.runtime.cpu.AttentionDecoder;
import org.dnnc.runtime.cpu.DecoderGeometry;
import org.dnnc.runtime.cpu.RecurrentCell;

/**
 * A GRU decoder attending over values at every step, on the device: the twin of {@link
 * AttentionDecoder}, with the same arguments after the context ({@code DevBuf} for {@code Buf},
 * {@code lengths} an int view) and the same workspace layout and size.
 *
 * <p>It is built from the kernels of {@link CudaAttention} (one query per example at each step, the
 * step's slots of the workspace) and of {@link CudaRecurrent} (the GRU's step kernel), with the
 * CPU's GEMMs: the input side of every step and the values' projections once, then per step the
 * query's projection, the context's part of the gates and the hidden side. Backward runs back
 * through the steps in the same way, then {@code v}'s gradient, the weight gradients and the inputs'
 * as GEMMs over all steps. The outputs' bands go to {@code y} and {@code weights} with {@link
 * CudaConcat}'s copy.
 *
 * <p>Differences from the CPU: a length outside {@code [0, T]} cannot throw on the device; that
 * example's attention weights, and so its outputs, become NaN. Sums of the GEMMs (and of {@code
 * v}'s gradient, one GEMM here) may differ from the CPU's in their last bits.
 */
public final class CudaAttentionDecoder {

    private static final FixedKernel WEIGHTS = new FixedKernel("attention", "attention_weights");
    private static final FixedKernel CONTEXT = new FixedKernel("attention", "attention_context");
    private static final FixedKernel VALUES_GRAD = new FixedKernel("attention", "attention_values_grad");
    private static final FixedKernel SCORES_GRAD = new FixedKernel("attention", "attention_scores_grad");
    private static final FixedKernel PROJECTIONS_GRAD = new FixedKernel("attention", "attention_projections_grad");
    private static final FixedKernel STEP_FORWARD = new FixedKernel("recurrent", "recurrent_step_forward");
    private static final FixedKernel STEP_BACKWARD = new FixedKernel("recurrent", "recurrent_step_backward");

    private CudaAttentionDecoder() {}

    /** Floats of workspace a forward and backward pass of {@code batch} examples need: {@link AttentionDecoder#workspaceFloats}. */
    public static long workspaceFloats(DecoderGeometry g, int batch) {
        return AttentionDecoder.workspaceFloats(g, batch);
    }

    /**
     * Runs the decoder, as {@link AttentionDecoder#forward}: {@code y [N, S, H + Dv]} gets every
     * step's state and context, and {@code weights [N, S, T]} every step's attention weights, each
     * when not null.
     *
     * @throws IllegalArgumentException if the workspace is too small
     */
    public static void forward(CudaContext ctx, DecoderGeometry g, DevBuf x, DevBuf values, DevBuf lengths, DevBuf h0,
            DevBuf wIh, DevBuf wHh, DevBuf bIh, DevBuf bHh, DevBuf w, DevBuf v, DevBuf y, DevBuf weights,
            DevBuf workspace, int n) {
        Layout l = Layout.of(g, n, workspace);
        int steps = g.steps();
        int in = g.inputSize();
        int hidden = g.hidden();
        int gh = g.gateRows();
        int t = g.valueSteps();
        int dv = g.valueFeatures();
        int units = g.units();
        int ihCols = in + dv;
        int wCols = hidden + dv;
        int nh = n * hidden;
        Gemm.sgemm(ctx, false, true, n * steps, gh, in, 1f, x, 0, in, wIh, 0, ihCols, 0f, workspace, l.xp, gh);
        CudaActivations.biasForward(ctx, Activation.IDENTITY, 0f, workspace.slice(l.xp, n * steps * gh), bIh,
                n * steps, gh);
        Gemm.sgemm(ctx, false, true, n * t, units, dv, 1f, values, 0, dv, w, hidden, wCols, 0f, workspace, l.pz, units);
        DevBuf first = workspace.slice(l.states, nh);
        if (h0 == null) {
            ctx.zero(first);
        } else {
            ctx.copy(h0.slice(0, nh), first);
        }
        for (int s = 0; s < steps; s++) {
            int state = l.states + s * nh;
            int pg = l.pg + s * n * units;
            int alpha = l.alpha + s * n * t;
            Gemm.sgemm(ctx, false, true, n, units, hidden, 1f, workspace, state, hidden, w, 0, wCols, 0f, workspace, pg,
                    units);
            ctx.launch(ctx.kernel(WEIGHTS), CudaSoftmax.blocks(n), 1, 256, 0, ctx.args().ptr(workspace).i(l.pz).i(pg)
                    .i(l.tanh + s * n * t * units).i(alpha).ptr(v).ptr(lengths).ptr(null).i(n).i(1).i(t).i(units));
            ctx.launch(ctx.kernel(CONTEXT), (long) n * dv, ctx.args().ptr(workspace).i(alpha).ptr(values).ptr(lengths)
                    .ptr(workspace.slice(l.contexts + s * dv, workspace.size() - l.contexts - s * dv)).i(steps * dv)
                    .i(n).i(1).i(t).i(dv));
            // The context's part of every example's gates at this step: rows (b, s) of the input side.
            Gemm.sgemm(ctx, false, true, n, gh, dv, 1f, workspace, l.contexts + s * dv, steps * dv, wIh, in, ihCols, 1f,
                    workspace, l.xp + s * gh, steps * gh);
            Gemm.sgemm(ctx, false, true, n, gh, hidden, 1f, workspace, state, hidden, wHh, 0, hidden, 0f, workspace,
                    l.hg, gh);
            ctx.launch(ctx.kernel(STEP_FORWARD), (long) nh, ctx.args().ptr(workspace).i(l.xp).i(l.hg).i(l.act)
                    .i(l.states).i(l.hn).ptr(bHh).ptr(y).i(g.outputSize()).ptr(null)
                    .i(CudaRecurrent.cellCode(RecurrentCell.GRU)).i(n).i(steps).i(hidden).i(s).i(0));
            if (weights != null) {
                CudaConcat.place(ctx, workspace.slice(alpha, n * t), t, weights, steps * t, s * t, n);
            }
        }
        if (y != null) {
            CudaConcat.place(ctx, workspace.slice(l.contexts, n * steps * dv), dv, y, g.outputSize(), hidden,
                    n * steps);
        }
    }

    /**
     * Back-propagates {@code dy [N, S, H + Dv]} through the {@link #forward} pass of the same batch,
     * whose workspace it reads and overwrites, as {@link AttentionDecoder#backward}: writes {@code
     * dx}, {@code dValues}, the cell's and the attention's weight gradients and {@code dh0}, each
     * when not null ({@code accumulate} adds to them).
     *
     * @throws IllegalArgumentException if the workspace is too small
     */
    public static void backward(CudaContext ctx, DecoderGeometry g, DevBuf x, DevBuf values, DevBuf lengths,
            DevBuf wIh, DevBuf wHh, DevBuf w, DevBuf v, DevBuf dy, DevBuf workspace, DevBuf dx, DevBuf dValues,
            DevBuf dwIh, DevBuf dwHh, DevBuf dbIh, DevBuf dbHh, DevBuf dw, DevBuf dv, DevBuf dh0, int n,
            boolean accumulate) {
        Layout l = Layout.of(g, n, workspace);
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
        if (dValues != null && !accumulate) {
            ctx.zero(dValues.slice(0, n * t * vf));
        }
        // The values' projections are no longer needed: their slots take their gradients.
        ctx.zero(workspace.slice(l.pz, n * t * units));
        DevBuf dh = workspace.slice(l.dh, nh);
        ctx.zero(dh);
        DevBuf dc = workspace.slice(l.dc, n * vf);
        for (int s = steps - 1; s >= 0; s--) {
            int pg = l.pg + s * n * units;
            int alpha = l.alpha + s * n * t;
            ctx.launch(ctx.kernel(STEP_BACKWARD), (long) nh, ctx.args().ptr(workspace).i(l.act).i(l.states).i(l.hn)
                    .i(l.dh).i(l.dh + nh).ptr(dy).i(out).ptr(null).i(CudaRecurrent.cellCode(RecurrentCell.GRU)).i(n)
                    .i(steps).i(hidden).i(s).i(0));
            Gemm.sgemm(ctx, false, false, n, hidden, gh, 1f, workspace, l.act + s * n * gh, gh, wHh, 0, hidden, 1f,
                    workspace, l.dh, hidden);
            // The context's gradient: its own output's, then through its part of the gates.
            CudaConcat.extract(ctx, dy, steps * out, s * out + hidden, dc, vf, n);
            Gemm.sgemm(ctx, false, false, n, vf, gh, 1f, workspace, l.xp + s * gh, steps * gh, wIh, in, ihCols, 1f,
                    workspace, l.dc, vf);
            if (dValues != null) {
                ctx.launch(ctx.kernel(VALUES_GRAD), (long) n * t * vf, ctx.args().ptr(workspace).i(alpha).ptr(dc)
                        .ptr(dValues).i(n).i(1).i(t).i(vf).i(1));
            }
            ctx.launch(ctx.kernel(SCORES_GRAD), CudaSoftmax.blocks(n), 1, 256, 0, ctx.args().ptr(workspace).i(alpha)
                    .ptr(values).ptr(lengths).ptr(dc).i(n).i(1).i(t).i(vf));
            ctx.launch(ctx.kernel(PROJECTIONS_GRAD), (long) (n * t + n) * units, ctx.args().ptr(workspace).i(l.pz)
                    .i(pg).i(l.tanh + s * n * t * units).i(alpha).ptr(v).ptr(lengths).i(n).i(1).i(t).i(units).i(1));
            // The query was this step's starting state.
            Gemm.sgemm(ctx, false, false, n, hidden, units, 1f, workspace, pg, units, w, 0, wCols, 1f, workspace, l.dh,
                    hidden);
        }
        float beta = accumulate ? 1f : 0f;
        int rows = n * steps;
        if (dv != null) {
            // The row of every step's and pair's dScore times the pairs' tanhs (zero past the lengths).
            int pairs = steps * n * t;
            Gemm.sgemm(ctx, false, false, 1, units, pairs, 1f, workspace, l.alpha, pairs, workspace, l.tanh, units, beta,
                    dv, 0, units);
        }
        if (dh0 != null) {
            if (accumulate) {
                CudaElementwise.accumulate(ctx, dh0, dh, nh);
            } else {
                ctx.copy(dh, dh0.slice(0, nh));
            }
        }
        if (dwHh != null) {
            Gemm.sgemm(ctx, true, false, gh, hidden, rows, 1f, workspace, l.act, gh, workspace, l.states, hidden, beta,
                    dwHh, 0, hidden);
        }
        if (dbHh != null) {
            CudaActivations.biasGrad(ctx, workspace.slice(l.act, rows * gh), dbHh, rows, gh, accumulate);
        }
        if (dwIh != null) {
            Gemm.sgemm(ctx, true, false, gh, in, rows, 1f, workspace, l.xp, gh, x, 0, in, beta, dwIh, 0, ihCols);
            Gemm.sgemm(ctx, true, false, gh, vf, rows, 1f, workspace, l.xp, gh, workspace, l.contexts, vf, beta, dwIh,
                    in, ihCols);
        }
        if (dbIh != null) {
            CudaActivations.biasGrad(ctx, workspace.slice(l.xp, rows * gh), dbIh, rows, gh, accumulate);
        }
        if (dx != null) {
            Gemm.sgemm(ctx, false, false, rows, in, gh, 1f, workspace, l.xp, gh, wIh, 0, ihCols, beta, dx, 0, in);
        }
        if (dw != null) {
            Gemm.sgemm(ctx, true, false, units, hidden, rows, 1f, workspace, l.pg, units, workspace, l.states, hidden,
                    beta, dw, 0, wCols);
            Gemm.sgemm(ctx, true, false, units, vf, n * t, 1f, workspace, l.pz, units, values, 0, vf, beta, dw, hidden,
                    wCols);
        }
        if (dValues != null) {
            Gemm.sgemm(ctx, false, false, n * t, vf, units, 1f, workspace, l.pz, units, w, hidden, wCols, 1f, dValues,
                    0, vf);
        }
    }

    /** Where each block of the workspace starts for a batch of {@code n}, as {@link AttentionDecoder} lays it out. */
    private record Layout(int xp, int act, int states, int hn, int hg, int pz, int pg, int tanh, int alpha,
            int contexts, int dh, int dc) {
        static Layout of(DecoderGeometry g, int n, DevBuf workspace) {
            long needed = AttentionDecoder.workspaceFloats(g, n);
            if (needed > Integer.MAX_VALUE || workspace.size() < needed) {
                throw new IllegalArgumentException("the decoder workspace holds " + workspace.size()
                        + " floats but a batch of " + n + " needs " + needed);
            }
            int s = g.steps();
            int t = g.valueSteps();
            int gh = g.gateRows();
            int h = g.hidden();
            int a = g.units();
            int act = n * s * gh;
            int states = act + s * n * gh;
            int hn = states + (s + 1) * n * h;
            int hg = hn + s * n * h;
            int pz = hg + n * gh;
            int pg = pz + n * t * a;
            int tanh = pg + s * n * a;
            int alpha = tanh + s * n * t * a;
            int contexts = alpha + s * n * t;
            int dh = contexts + n * s * g.valueFeatures();
            return new Layout(0, act, states, hn, hg, pz, pg, tanh, alpha, contexts, dh, dh + n * h);
        }
    }
}
