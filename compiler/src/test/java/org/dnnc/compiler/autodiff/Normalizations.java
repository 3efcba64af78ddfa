package org.dnnc.compiler.autodiff;

import java.util.List;
import org.dnnc.compiler.ir.BatchNorm;
import org.dnnc.compiler.ir.BatchNormGradGamma;
import org.dnnc.compiler.ir.BatchNormGradInput;
import org.dnnc.compiler.ir.BatchNormInference;
import org.dnnc.compiler.ir.BatchNormInferenceGradInput;
import org.dnnc.compiler.ir.BatchNormReluMaxPool;
import org.dnnc.compiler.ir.BatchNormReluMaxPoolGrad;
import org.dnnc.compiler.ir.LayerNorm;
import org.dnnc.compiler.ir.LayerNormGradGamma;
import org.dnnc.compiler.ir.LayerNormGradInput;
import org.dnnc.compiler.ir.Op;
import org.dnnc.compiler.ir.Pool2dGrad;

/**
 * The reference interpreter's normalizations in double precision. Both are seen as groups of
 * values normalized together: batchnorm groups a channel across the batch and every other axis,
 * layernorm one example's last axis.
 */
final class Normalizations {
    private Normalizations() {}

    /** A fused {@code batchnorm_relu_maxpool2d}: the batchnorm with ReLU, then the pooling. */
    static double[] pooled(BatchNormReluMaxPool op, List<double[]> in, int[] x, int[] out) {
        double[] y = eval(op.norm(), in, List.of(x), x);
        return Convolutions.pool(op.pool(), List.of(y), List.of(x), out);
    }

    /**
     * A gradient of {@code batchnorm_relu_maxpool2d} from operands (dp, x, gamma, beta), as the
     * unfused ops compute it: the pooling's gradient of the recomputed activation y, then the
     * batchnorm's ReLU-masked gradient.
     */
    static double[] pooledGrad(BatchNormReluMaxPoolGrad op, List<double[]> in, int[] x, int[] pooled) {
        double[] gamma = in.get(2);
        double[] unused = new double[gamma.length];
        double[] y = eval(op.forward().norm(), List.of(in.get(1), gamma, in.get(3), unused, unused), List.of(x), x);
        double[] dy = Convolutions.pool(new Pool2dGrad(op.forward().pool()), List.of(in.get(0), y),
                List.of(pooled, x), x);
        double eps = op.forward().eps();
        int[] channels = {gamma.length};
        return switch (op.wrt()) {
            case INPUT -> eval(new BatchNormGradInput(eps, true), List.of(dy, in.get(1), gamma, y),
                    List.of(x, x, channels, x), x);
            case GAMMA -> eval(new BatchNormGradGamma(eps, true), List.of(dy, in.get(1), y), List.of(x, x, x),
                    channels);
            case BETA -> {
                double[] dbeta = new double[gamma.length];
                int inner = y.length / x[0] / x[1];
                for (int k = 0; k < y.length; k++) {
                    dbeta[(k / inner) % x[1]] += y[k] > 0 ? dy[k] : 0;
                }
                yield dbeta;
            }
        };
    }

    static double[] eval(Op op, List<double[]> in, List<int[]> dims, int[] out) {
        boolean layer = op instanceof LayerNorm || op instanceof LayerNormGradInput || op instanceof LayerNormGradGamma;
        double eps = eps(op);
        int[] x = dims.get(op instanceof BatchNorm || op instanceof BatchNormInference || op instanceof LayerNorm ? 0 : 1);
        double[] xs = in.get(op instanceof BatchNorm || op instanceof BatchNormInference || op instanceof LayerNorm ? 0 : 1);
        int channels = layer ? x[x.length - 1] : x[1];
        int inner = 1;
        for (int d = 2; d < x.length; d++) {
            inner *= x[d];
        }
        int total = xs.length;
        // Group of element k: its channel (batchnorm) or its row (layernorm).
        int groups = layer ? total / channels : channels;
        int[] group = new int[total];
        int[] param = new int[total];
        for (int k = 0; k < total; k++) {
            group[k] = layer ? k / channels : (k / inner) % channels;
            param[k] = layer ? k % channels : group[k];
        }
        double[] mean = new double[groups];
        double[] var = new double[groups];
        int[] count = new int[groups];
        if (op instanceof BatchNormInference) {
            mean = in.get(3);
            var = in.get(4);
        } else {
            for (int k = 0; k < total; k++) {
                mean[group[k]] += xs[k];
                count[group[k]]++;
            }
            for (int g = 0; g < groups; g++) {
                mean[g] /= count[g];
            }
            for (int k = 0; k < total; k++) {
                double d = xs[k] - mean[group[k]];
                var[group[k]] += d * d;
            }
            for (int g = 0; g < groups; g++) {
                var[g] /= count[g];
            }
        }
        double[] xhat = new double[total];
        for (int k = 0; k < total; k++) {
            xhat[k] = (xs[k] - mean[group[k]]) / Math.sqrt(var[group[k]] + eps);
        }
        if (op instanceof BatchNorm || op instanceof BatchNormInference || op instanceof LayerNorm) {
            boolean relu = op instanceof BatchNorm b && b.relu();
            double[] residual = op instanceof BatchNorm b && b.residual() ? in.get(5) : null;
            double[] y = new double[total];
            for (int k = 0; k < total; k++) {
                y[k] = in.get(1)[param[k]] * xhat[k] + in.get(2)[param[k]] + (residual == null ? 0 : residual[k]);
                y[k] = relu ? Math.max(y[k], 0) : y[k];
            }
            return y;
        }
        double[] dy = reluMasked(op, in);
        if (op instanceof BatchNormGradGamma || op instanceof LayerNormGradGamma) {
            double[] dgamma = new double[channels];
            for (int k = 0; k < total; k++) {
                dgamma[param[k]] += dy[k] * xhat[k];
            }
            return dgamma;
        }
        // dx = invstd / M · (M·g - Σg - x̂·Σ(g·x̂)), with g = dy·gamma.
        double[] gsum = new double[groups];
        double[] gxsum = new double[groups];
        double[] g = new double[total];
        for (int k = 0; k < total; k++) {
            g[k] = dy[k] * in.get(2)[param[k]];
            gsum[group[k]] += g[k];
            gxsum[group[k]] += g[k] * xhat[k];
        }
        double[] dx = new double[total];
        for (int k = 0; k < total; k++) {
            int grp = group[k];
            dx[k] = (count[grp] * g[k] - gsum[grp] - xhat[k] * gxsum[grp]) / (count[grp] * Math.sqrt(var[grp] + eps));
        }
        return dx;
    }

    /** {@code dx = dy * gamma / sqrt(running_var + eps)} of a frozen batchnorm: operands dy, gamma, running_var. */
    static double[] inferenceGradInput(BatchNormInferenceGradInput op, List<double[]> in, int[] dims) {
        double[] dy = in.get(0);
        int channels = dims[1];
        int inner = 1;
        for (int d = 2; d < dims.length; d++) {
            inner *= dims[d];
        }
        double[] dx = new double[dy.length];
        for (int k = 0; k < dy.length; k++) {
            int c = (k / inner) % channels;
            dx[k] = dy[k] * in.get(1)[c] / Math.sqrt(in.get(2)[c] + op.eps());
        }
        return dx;
    }

    /** dy, or for the gradients of a fused batchnorm_relu dy masked by the ReLU's output y > 0. */
    private static double[] reluMasked(Op op, List<double[]> in) {
        double[] y = op instanceof BatchNormGradInput g && g.relu() ? in.get(3)
                : op instanceof BatchNormGradGamma g && g.relu() ? in.get(2) : null;
        if (y == null) {
            return in.get(0);
        }
        double[] dy = in.get(0).clone();
        for (int k = 0; k < dy.length; k++) {
            dy[k] = y[k] > 0 ? dy[k] : 0;
        }
        return dy;
    }

    private static double eps(Op op) {
        if (op instanceof BatchNorm b) {
            return b.eps();
        }
        if (op instanceof BatchNormInference b) {
            return b.eps();
        }
        if (op instanceof BatchNormGradInput b) {
            return b.eps();
        }
        if (op instanceof BatchNormGradGamma b) {
            return b.eps();
        }
        if (op instanceof LayerNorm l) {
            return l.eps();
        }
        if (op instanceof LayerNormGradInput l) {
            return l.eps();
        }
        return ((LayerNormGradGamma) op).eps();
    }
}
