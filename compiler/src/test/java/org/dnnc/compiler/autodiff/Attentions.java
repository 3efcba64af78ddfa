package org.dnnc.compiler.autodiff;

import java.util.List;
import org.dnnc.compiler.ir.AdditiveAttention;
import org.dnnc.compiler.ir.AdditiveAttentionGrad;

/**
 * The reference interpreter's additive attention in double precision, every sum written out per
 * (query, step) pair from the formula {@code score_j = v·tanh(W[g; z_j])}, independently of the
 * runtime's kernel (which shares the projections between pairs).
 */
final class Attentions {
    private Attentions() {}

    /** Sizes: examples, queries per example, steps, query and value features, units. */
    private record Shape(int n, int queries, int steps, int dq, int dv, int units) {
        static Shape of(AdditiveAttention a, int[] query, int[] values) {
            boolean sequence = query.length == 3;
            return new Shape(query[0], sequence ? query[1] : 1, values[1], query[query.length - 1], values[2],
                    a.units());
        }
    }

    /** The context from {@code (query, values, W, v)} and any lengths. */
    static double[] context(AdditiveAttention a, List<double[]> in, int[] query, int[] values) {
        Shape s = Shape.of(a, query, values);
        double[][][] tanh = tanh(s, in);
        double[] alpha = weights(a, s, in, tanh);
        double[] z = in.get(1);
        double[] out = new double[s.n() * s.queries() * s.dv()];
        for (int b = 0; b < s.n(); b++) {
            for (int i = 0; i < s.queries(); i++) {
                int row = b * s.queries() + i;
                for (int j = 0; j < s.steps(); j++) {
                    for (int d = 0; d < s.dv(); d++) {
                        out[row * s.dv() + d] += alpha[row * s.steps() + j] * z[(b * s.steps() + j) * s.dv() + d];
                    }
                }
            }
        }
        return out;
    }

    /** The weights from {@code (query, values, W, v)} and any lengths. */
    static double[] weights(AdditiveAttention a, List<double[]> in, int[] query, int[] values) {
        Shape s = Shape.of(a, query, values);
        return weights(a, s, in, tanh(s, in));
    }

    /** The gradient of one operand from {@code (dy, y, query, values, W, v)} and any lengths. */
    static double[] gradient(AdditiveAttentionGrad op, List<double[]> in, int[] query, int[] values) {
        AdditiveAttention a = op.forward();
        List<double[]> layer = in.subList(AdditiveAttentionGrad.LAYER_OPERANDS, in.size());
        Shape s = Shape.of(a, query, values);
        double[][][] tanh = tanh(s, layer);
        double[] alpha = weights(a, s, layer, tanh);
        double[] dy = in.get(0);
        double[] q = layer.get(0);
        double[] z = layer.get(1);
        double[] w = layer.get(2);
        double[] v = layer.get(3);
        int cols = s.dq() + s.dv();
        double[][] grads = {new double[q.length], new double[z.length], new double[w.length], new double[v.length]};
        for (int b = 0; b < s.n(); b++) {
            for (int i = 0; i < s.queries(); i++) {
                int row = b * s.queries() + i;
                double[] dAlpha = new double[s.steps()];
                double dot = 0;
                for (int j = 0; j < s.steps(); j++) {
                    for (int d = 0; d < s.dv(); d++) {
                        dAlpha[j] += dy[row * s.dv() + d] * z[(b * s.steps() + j) * s.dv() + d];
                        grads[1][(b * s.steps() + j) * s.dv() + d] += alpha[row * s.steps() + j] * dy[row * s.dv() + d];
                    }
                    dot += dAlpha[j] * alpha[row * s.steps() + j];
                }
                for (int j = 0; j < s.steps(); j++) {
                    double dScore = alpha[row * s.steps() + j] * (dAlpha[j] - dot);
                    for (int u = 0; u < s.units(); u++) {
                        double t = tanh[row][j][u];
                        grads[3][u] += dScore * t;
                        double dPre = dScore * v[u] * (1 - t * t);
                        for (int k = 0; k < s.dq(); k++) {
                            grads[2][u * cols + k] += dPre * q[row * s.dq() + k];
                            grads[0][row * s.dq() + k] += dPre * w[u * cols + k];
                        }
                        for (int k = 0; k < s.dv(); k++) {
                            int zk = (b * s.steps() + j) * s.dv() + k;
                            grads[2][u * cols + s.dq() + k] += dPre * z[zk];
                            grads[1][zk] += dPre * w[u * cols + s.dq() + k];
                        }
                    }
                }
            }
        }
        return grads[op.wrt().operand()];
    }

    /** {@code tanh(W [g_i; z_j])} for every query row and step, in {@code [row][step][unit]}. */
    private static double[][][] tanh(Shape s, List<double[]> in) {
        double[] q = in.get(0);
        double[] z = in.get(1);
        double[] w = in.get(2);
        int cols = s.dq() + s.dv();
        double[][][] out = new double[s.n() * s.queries()][s.steps()][s.units()];
        for (int b = 0; b < s.n(); b++) {
            for (int i = 0; i < s.queries(); i++) {
                int row = b * s.queries() + i;
                for (int j = 0; j < s.steps(); j++) {
                    for (int u = 0; u < s.units(); u++) {
                        double pre = 0;
                        for (int k = 0; k < s.dq(); k++) {
                            pre += w[u * cols + k] * q[row * s.dq() + k];
                        }
                        for (int k = 0; k < s.dv(); k++) {
                            pre += w[u * cols + s.dq() + k] * z[(b * s.steps() + j) * s.dv() + k];
                        }
                        out[row][j][u] = Math.tanh(pre);
                    }
                }
            }
        }
        return out;
    }

    /** The softmax of the scores over each example's valid steps, zero past them. */
    private static double[] weights(AdditiveAttention a, Shape s, List<double[]> in, double[][][] tanh) {
        double[] v = in.get(3);
        double[] out = new double[s.n() * s.queries() * s.steps()];
        for (int b = 0; b < s.n(); b++) {
            int length = a.lengths() ? (int) in.get(AdditiveAttention.LENGTHS)[b] : s.steps();
            for (int i = 0; i < s.queries(); i++) {
                int row = b * s.queries() + i;
                double[] e = new double[length];
                double sum = 0;
                for (int j = 0; j < length; j++) {
                    double score = 0;
                    for (int u = 0; u < s.units(); u++) {
                        score += v[u] * tanh[row][j][u];
                    }
                    e[j] = Math.exp(score);
                    sum += e[j];
                }
                for (int j = 0; j < length; j++) {
                    out[row * s.steps() + j] = e[j] / sum;
                }
            }
        }
        return out;
    }
}
