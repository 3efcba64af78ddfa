package org.dnnc.runtime.cuda;

import org.dnnc.runtime.cpu.Attention;
import org.dnnc.runtime.cpu.AttentionGeometry;

/**
 * Additive (Bahdanau) attention on the device ({@code attention.cu}): the twin of {@link
 * Attention}, with the same arguments after the context ({@code DevBuf} for {@code Buf}, {@code
 * lengths} an int view) and the same workspace layout and size, so that the CPU's plan serves both.
 *
 * <p>Forward: the value and query projections are one {@link Gemm} each, as on the CPU; one warp per
 * query then scores the steps and takes their softmax ({@code attention_weights}), and one thread per
 * context element sums the weighted values. Backward: the values' direct gradient, the scores'
 * gradients (one warp per query, written over the weights), the pre-activation gradients summed
 * into the projections' slots, then {@code v}'s gradient, {@code W}'s and the inputs' as GEMMs.
 * Every sum has a fixed order (no atomics).
 *
 * <p>Differences from the CPU: a length outside {@code [0, T]} cannot throw on the device; that
 * example's weights and context become NaN. The GEMMs are cuBLAS's, and {@code v}'s gradient is one
 * too (the CPU adds it pair by pair), so sums may differ in their last bits.
 */
public final class CudaAttention {

    private static final FixedKernel WEIGHTS = new FixedKernel("attention", "attention_weights");
    private static final FixedKernel CONTEXT = new FixedKernel("attention", "attention_context");
    private static final FixedKernel VALUES_GRAD = new FixedKernel("attention", "attention_values_grad");
    private static final FixedKernel SCORES_GRAD = new FixedKernel("attention", "attention_scores_grad");
    private static final FixedKernel PROJECTIONS_GRAD = new FixedKernel("attention", "attention_projections_grad");

    private CudaAttention() {}

    /** Floats of workspace a forward and backward pass of {@code batch} examples need: {@link Attention#workspaceFloats}. */
    public static long workspaceFloats(AttentionGeometry g, int batch) {
        return Attention.workspaceFloats(g, batch);
    }

    /**
     * Attends, as {@link Attention#forward}: writes the context {@code [N, Tq, Dv]} and the weights
     * {@code [N, Tq, T]}, each when not null, and keeps what {@link #backward} reads in the
     * workspace.
     *
     * @throws IllegalArgumentException if the workspace is too small
     */
    public static void forward(CudaContext ctx, AttentionGeometry g, DevBuf query, DevBuf values, DevBuf lengths,
            DevBuf w, DevBuf v, DevBuf context, DevBuf weights, DevBuf workspace, int n) {
        Layout l = Layout.of(g, n, workspace);
        int units = g.units();
        int dq = g.queryFeatures();
        int dv = g.valueFeatures();
        int cols = g.weightColumns();
        int rows = n * g.queries();
        Gemm.sgemm(ctx, false, true, n * g.steps(), units, dv, 1f, values, 0, dv, w, dq, cols, 0f, workspace, l.z,
                units);
        Gemm.sgemm(ctx, false, true, rows, units, dq, 1f, query, 0, dq, w, 0, cols, 0f, workspace, l.q, units);
        ctx.launch(ctx.kernel(WEIGHTS), CudaSoftmax.blocks(rows), 1, 256, 0, ctx.args().ptr(workspace).i(l.z).i(l.q)
                .i(l.h).i(l.alpha).ptr(v).ptr(lengths).ptr(weights).i(rows).i(g.queries()).i(g.steps()).i(units));
        if (context != null) {
            ctx.launch(ctx.kernel(CONTEXT), (long) rows * dv, ctx.args().ptr(workspace).i(l.alpha).ptr(values)
                    .ptr(lengths).ptr(context).i(dv).i(rows).i(g.queries()).i(g.steps()).i(dv));
        }
    }

    /**
     * Back-propagates {@code dContext [N, Tq, Dv]} through the {@link #forward} pass of the same
     * batch, whose workspace it reads and overwrites, as {@link Attention#backward}: writes the
     * gradients of the queries, the values, {@code W} and {@code v}, each when not null ({@code
     * accumulate} adds to them).
     *
     * @throws IllegalArgumentException if the workspace is too small
     */
    public static void backward(CudaContext ctx, AttentionGeometry g, DevBuf query, DevBuf values, DevBuf lengths,
            DevBuf w, DevBuf v, DevBuf dContext, DevBuf workspace, DevBuf dQuery, DevBuf dValues, DevBuf dW, DevBuf dv,
            int n, boolean accumulate) {
        Layout l = Layout.of(g, n, workspace);
        int steps = g.steps();
        int queries = g.queries();
        int units = g.units();
        int dq = g.queryFeatures();
        int vf = g.valueFeatures();
        int cols = g.weightColumns();
        int rows = n * queries;
        float beta = accumulate ? 1f : 0f;
        if (dValues != null) {
            ctx.launch(ctx.kernel(VALUES_GRAD), (long) n * steps * vf, ctx.args().ptr(workspace).i(l.alpha)
                    .ptr(dContext).ptr(dValues).i(n).i(queries).i(steps).i(vf).i(accumulate ? 1 : 0));
        }
        ctx.launch(ctx.kernel(SCORES_GRAD), CudaSoftmax.blocks(rows), 1, 256, 0, ctx.args().ptr(workspace).i(l.alpha)
                .ptr(values).ptr(lengths).ptr(dContext).i(rows).i(queries).i(steps).i(vf));
        ctx.launch(ctx.kernel(PROJECTIONS_GRAD), (long) (n * steps + rows) * units, ctx.args().ptr(workspace).i(l.z)
                .i(l.q).i(l.h).i(l.alpha).ptr(v).ptr(lengths).i(n).i(queries).i(steps).i(units).i(0));
        if (dv != null) {
            // v's gradient: the row of every pair's dScore times the pairs' tanhs (zero past the lengths).
            int pairs = rows * steps;
            Gemm.sgemm(ctx, false, false, 1, units, pairs, 1f, workspace, l.alpha, pairs, workspace, l.h, units, beta,
                    dv, 0, units);
        }
        if (dW != null) {
            Gemm.sgemm(ctx, true, false, units, dq, rows, 1f, workspace, l.q, units, query, 0, dq, beta, dW, 0, cols);
            Gemm.sgemm(ctx, true, false, units, vf, n * steps, 1f, workspace, l.z, units, values, 0, vf, beta, dW, dq,
                    cols);
        }
        if (dQuery != null) {
            Gemm.sgemm(ctx, false, false, rows, dq, units, 1f, workspace, l.q, units, w, 0, cols, beta, dQuery, 0, dq);
        }
        if (dValues != null) {
            Gemm.sgemm(ctx, false, false, n * steps, vf, units, 1f, workspace, l.z, units, w, dq, cols, 1f, dValues, 0,
                    vf);
        }
    }

    /** Where each block of the workspace starts for a batch of {@code n}, as {@link Attention} lays it out. */
    private record Layout(int z, int q, int h, int alpha) {
        static Layout of(AttentionGeometry g, int n, DevBuf workspace) {
            long needed = Attention.workspaceFloats(g, n);
            if (workspace.size() < needed) {
                throw new IllegalArgumentException("the attention workspace holds " + workspace.size()
                        + " floats but a batch of " + n + " needs " + needed);
            }
            int q = n * g.steps() * g.units();
            int h = q + n * g.queries() * g.units();
            return new Layout(0, q, h, h + n * g.queries() * g.steps() * g.units());
        }
    }
}
