package org.dnnc.runtime.cpu;

import java.nio.FloatBuffer;
import java.nio.IntBuffer;

/**
 * Additive (Bahdanau) attention over a batch: each query {@code g} of {@code [N, Tq, Dq]} scores
 * every value step {@code z_j} of {@code [N, T, Dv]} as {@code v · tanh(W [g; z_j])}, the weights are
 * the softmax of the scores over the steps, and the context is {@code Σ_j alpha_j z_j}, {@code [N,
 * Tq, Dv]}. Shapes are in an {@link AttentionGeometry}, the batch size comes with each call.
 *
 * <p>{@code W} splits by columns into {@code W_g} (the first {@code Dq}) and {@code W_z}, so the
 * projections of all queries and of all values are one GEMM each, shared by every (query, step)
 * pair; only the {@code tanh} of their sums is per pair. The forward pass keeps the projections, the
 * {@code tanh}s and the weights in a caller-provided {@code workspace} of {@link #workspaceFloats}
 * floats, which {@link #backward} reads and then overwrites with its own intermediate gradients.
 *
 * <p>With per-example {@code lengths}, steps at or past an example's length get weight zero (the
 * softmax runs over the valid steps only), so padding neither adds to the context nor gets gradient;
 * an example of length 0 has a zero context.
 *
 * <p>Threads: every call runs on the calling thread; OpenBLAS may thread each GEMM.
 */
public final class Attention {
    private Attention() {}

    /**
     * Floats of workspace a forward and backward pass of {@code batch} examples need: the value
     * projections ({@code N*T*A}), the query projections ({@code N*Tq*A}), every pair's {@code tanh}
     * ({@code N*Tq*T*A}) and the weights ({@code N*Tq*T}).
     */
    public static long workspaceFloats(AttentionGeometry g, int batch) {
        if (batch < 0) {
            throw new IllegalArgumentException("negative batch " + batch);
        }
        long n = batch;
        long a = g.units();
        long pairs = n * g.queries() * g.steps();
        return n * g.steps() * a + n * g.queries() * a + pairs * a + pairs;
    }

    /**
     * Attends: writes the context {@code [N, Tq, Dv]} and the weights {@code [N, Tq, T]}, each when
     * not null, and keeps what {@link #backward} reads in the workspace.
     *
     * @throws IllegalArgumentException if the workspace is too small or a length is outside {@code
     *     [0, T]}, before anything is written
     */
    public static void forward(AttentionGeometry g, Buf query, Buf values, IntBuffer lengths, Buf w, Buf v,
            Buf context, Buf weights, Buf workspace, int n) {
        check(g, lengths, workspace, n);
        int steps = g.steps();
        int queries = g.queries();
        int units = g.units();
        int dq = g.queryFeatures();
        int dv = g.valueFeatures();
        int cols = g.weightColumns();
        int zAt = 0;
        int qAt = zProjections(g, n);
        int hAt = qAt + n * queries * units;
        int alphaAt = hAt + n * queries * steps * units;
        Blas.sgemm(false, true, n * steps, units, dv, 1f, values, 0, dv, w, dq, cols, 0f, workspace, zAt, units);
        Blas.sgemm(false, true, n * queries, units, dq, 1f, query, 0, dq, w, 0, cols, 0f, workspace, qAt, units);
        FloatBuffer ws = workspace.data;
        float[] scores = Chunks.get().row2(steps);
        for (int b = 0; b < n; b++) {
            int length = lengths == null ? steps : lengths.get(b);
            for (int i = 0; i < queries; i++) {
                int row = b * queries + i;
                int alpha = alphaAt + row * steps;
                weighRow(ws, qAt + row * units, zAt + b * steps * units, hAt + row * steps * units, alpha, v.data,
                        units, length, steps, scores);
                if (weights != null) {
                    weights.data.put(row * steps, ws, alpha, steps);
                }
                if (context != null) {
                    contextRow(ws, alpha, values.data, b * steps * dv, dv, length, context.data, row * dv);
                }
            }
        }
    }

    /**
     * One query's weights over one example's value steps: {@code tanh} of the query's projection
     * (at {@code q}) plus each step's (from {@code z}, {@code units} apart) into {@code h}, the scores
     * {@code v · tanh}, and their softmax over the first {@code length} steps into {@code alpha}
     * (zero past them). {@code scores} is scratch of at least {@code steps} floats.
     */
    static void weighRow(FloatBuffer ws, int q, int z, int h, int alpha, FloatBuffer v, int units, int length,
            int steps, float[] scores) {
        float max = Float.NEGATIVE_INFINITY;
        for (int j = 0; j < length; j++) {
            int zj = z + j * units;
            int hj = h + j * units;
            double score = 0;
            for (int a = 0; a < units; a++) {
                float t = (float) Math.tanh(ws.get(q + a) + ws.get(zj + a));
                ws.put(hj + a, t);
                score += (double) v.get(a) * t;
            }
            scores[j] = (float) score;
            max = Math.max(max, scores[j]);
        }
        double sum = 0;
        for (int j = 0; j < length; j++) {
            scores[j] = (float) Math.exp(scores[j] - max);
            sum += scores[j];
        }
        for (int j = 0; j < steps; j++) {
            ws.put(alpha + j, j < length ? (float) (scores[j] / sum) : 0f);
        }
    }

    /** {@code out[outAt..] = Σ_j alpha_j z_j} over the first {@code length} value steps, which start at {@code zAt}. */
    static void contextRow(FloatBuffer ws, int alpha, FloatBuffer z, int zAt, int dv, int length, FloatBuffer out,
            int outAt) {
        for (int d = 0; d < dv; d++) {
            out.put(outAt + d, 0f);
        }
        for (int j = 0; j < length; j++) {
            float weight = ws.get(alpha + j);
            int zj = zAt + j * dv;
            for (int d = 0; d < dv; d++) {
                out.put(outAt + d, out.get(outAt + d) + weight * z.get(zj + d));
            }
        }
    }

    /**
     * Back through one query's attention from its context's gradient (at {@code dcAt} of {@code dc}):
     * adds the gradients of the value steps' projections (at {@code dz}, {@code units} apart) and of
     * the values themselves ({@code alpha_j dc}, into {@code dValues} from {@code zAt} when not null)
     * and of {@code v} (into {@code dvSums}), and writes the query projection's gradient at {@code
     * dq}. {@code dAlpha} is scratch of at least {@code length} floats.
     */
    static void backwardRow(FloatBuffer ws, int alpha, int h, int dq, int dz, FloatBuffer v, FloatBuffer z, int zAt,
            FloatBuffer dc, int dcAt, FloatBuffer dValues, int units, int dv, int length, float[] dAlpha,
            float[] dvSums) {
        double dot = 0;
        for (int j = 0; j < length; j++) {
            int zj = zAt + j * dv;
            double s = 0;
            for (int d = 0; d < dv; d++) {
                s += (double) dc.get(dcAt + d) * z.get(zj + d);
            }
            dAlpha[j] = (float) s;
            dot += s * ws.get(alpha + j);
        }
        zero(ws, dq, units);
        for (int j = 0; j < length; j++) {
            float weight = ws.get(alpha + j);
            float dScore = (float) (weight * (dAlpha[j] - dot));
            int hj = h + j * units;
            int dzj = dz + j * units;
            for (int a = 0; a < units; a++) {
                float t = ws.get(hj + a);
                dvSums[a] += dScore * t;
                float dPre = dScore * v.get(a) * (1f - t * t);
                ws.put(dq + a, ws.get(dq + a) + dPre);
                ws.put(dzj + a, ws.get(dzj + a) + dPre);
            }
            if (dValues != null) {
                int zj = zAt + j * dv;
                for (int d = 0; d < dv; d++) {
                    dValues.put(zj + d, dValues.get(zj + d) + weight * dc.get(dcAt + d));
                }
            }
        }
    }

    /**
     * Back-propagates the context's gradient {@code dContext [N, Tq, Dv]} of the {@link #forward}
     * pass of the same batch, whose workspace it reads and overwrites. Writes the gradients of the
     * queries, the values, {@code W} and {@code v}, each when not null; {@code accumulate} adds to
     * them (GEMM's beta) instead of overwriting.
     *
     * @throws IllegalArgumentException if the workspace is too small or a length is outside {@code
     *     [0, T]}, before anything is written
     */
    public static void backward(AttentionGeometry g, Buf query, Buf values, IntBuffer lengths, Buf w, Buf v,
            Buf dContext, Buf workspace, Buf dQuery, Buf dValues, Buf dW, Buf dv, int n, boolean accumulate) {
        check(g, lengths, workspace, n);
        int steps = g.steps();
        int queries = g.queries();
        int units = g.units();
        int dq = g.queryFeatures();
        int vf = g.valueFeatures();
        int cols = g.weightColumns();
        int zAt = 0;
        int qAt = zProjections(g, n);
        int hAt = qAt + n * queries * units;
        int alphaAt = hAt + n * queries * steps * units;
        FloatBuffer ws = workspace.data;
        if (dValues != null && !accumulate) {
            zero(dValues.data, 0, n * steps * vf);
        }
        float[] dvSums = Chunks.get().row(units);
        float[] dAlpha = Chunks.get().row2(steps);
        // The projections are no longer needed: their slots take the gradients of the pre-activations.
        zero(ws, zAt, n * steps * units);
        for (int b = 0; b < n; b++) {
            int length = lengths == null ? steps : lengths.get(b);
            for (int i = 0; i < queries; i++) {
                int row = b * queries + i;
                backwardRow(ws, alphaAt + row * steps, hAt + row * steps * units, qAt + row * units,
                        zAt + b * steps * units, v.data, values.data, b * steps * vf, dContext.data, row * vf,
                        dValues == null ? null : dValues.data, units, vf, length, dAlpha, dvSums);
            }
        }
        float beta = accumulate ? 1f : 0f;
        if (dv != null) {
            for (int a = 0; a < units; a++) {
                dv.data.put(a, accumulate ? dv.data.get(a) + dvSums[a] : dvSums[a]);
            }
        }
        if (dW != null) {
            Blas.sgemm(true, false, units, dq, n * queries, 1f, workspace, qAt, units, query, 0, dq, beta, dW, 0, cols);
            Blas.sgemm(true, false, units, vf, n * steps, 1f, workspace, zAt, units, values, 0, vf, beta, dW, dq, cols);
        }
        if (dQuery != null) {
            Blas.sgemm(false, false, n * queries, dq, units, 1f, workspace, qAt, units, w, 0, cols, beta, dQuery, 0,
                    dq);
        }
        if (dValues != null) {
            Blas.sgemm(false, false, n * steps, vf, units, 1f, workspace, zAt, units, w, dq, cols, 1f, dValues, 0, vf);
        }
    }

    private static int zProjections(AttentionGeometry g, int n) {
        return n * g.steps() * g.units();
    }

    private static void check(AttentionGeometry g, IntBuffer lengths, Buf workspace, int n) {
        long needed = workspaceFloats(g, n);
        if (workspace.size() < needed) {
            throw new IllegalArgumentException("the attention workspace holds " + workspace.size()
                    + " floats but a batch of " + n + " needs " + needed);
        }
        if (lengths != null) {
            for (int b = 0; b < n; b++) {
                int length = lengths.get(b);
                if (length < 0 || length > g.steps()) {
                    throw new IllegalArgumentException("length " + length + " of example " + b + " is outside [0, "
                            + g.steps() + "]");
                }
            }
        }
    }

    static void zero(FloatBuffer b, int from, int count) {
        for (int i = from; i < from + count; i++) {
            b.put(i, 0f);
        }
    }
}
