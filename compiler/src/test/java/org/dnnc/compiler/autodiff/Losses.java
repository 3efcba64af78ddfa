package org.dnnc.compiler.autodiff;

import java.util.List;
import java.util.OptionalInt;
import org.dnnc.compiler.ir.CrossEntropy;
import org.dnnc.compiler.ir.CrossEntropyGrad;
import org.dnnc.compiler.ir.MseGrad;
import org.dnnc.compiler.ir.MseLoss;
import org.dnnc.compiler.ir.Op;

/** The reference interpreter's losses and their gradients, in double precision, averaged as PyTorch does. */
final class Losses {
    private Losses() {}

    /**
     * The mean cross entropy of the batch from logits {@code [N, C]} and labels, or (for
     * {@code cross_entropy_grad}) its gradient with respect to the logits, scaled by the upstream one.
     */
    static double[] crossEntropy(Op op, List<double[]> in, int[] logitsShape) {
        boolean gradient = op instanceof CrossEntropyGrad;
        int c = logitsShape[logitsShape.length - 1];
        // Every position of a sequence is a row of its own, as PyTorch's logits.reshape(-1, C).
        int batch = in.get(1).length;
        double[] logits = in.get(0);
        double[] labels = in.get(1);
        double[] y = new double[gradient ? logits.length : 1];
        OptionalInt ignore = op instanceof CrossEntropy e ? e.ignore() : ((CrossEntropyGrad) op).ignore();
        int counted = 0;
        for (int r = 0; r < batch; r++) {
            counted += ignore.isPresent() && (int) labels[r] == ignore.getAsInt() ? 0 : 1;
        }
        double loss = 0;
        for (int r = 0; r < batch; r++) {
            if (ignore.isPresent() && (int) labels[r] == ignore.getAsInt()) {
                continue;
            }
            double max = Double.NEGATIVE_INFINITY;
            for (int j = 0; j < c; j++) {
                max = Math.max(max, logits[r * c + j]);
            }
            double sum = 0;
            for (int j = 0; j < c; j++) {
                sum += Math.exp(logits[r * c + j] - max);
            }
            int label = (int) labels[r];
            loss += Math.log(sum) + max - logits[r * c + label];
            if (gradient) {
                for (int j = 0; j < c; j++) {
                    double p = Math.exp(logits[r * c + j] - max) / sum;
                    y[r * c + j] = (p - (j == label ? 1 : 0)) * in.get(2)[0] / counted;
                }
            }
        }
        if (!gradient) {
            y[0] = counted == 0 ? 0 : loss / counted;
        }
        return y;
    }

    /** Mean squared error or binary cross entropy with logits, averaged over every element. */
    static double[] mean(Op op, List<double[]> in) {
        double total = 0;
        int count = in.get(0).length;
        for (int i = 0; i < count; i++) {
            double x = in.get(0)[i];
            double t = in.get(1)[i];
            total += op instanceof MseLoss ? (x - t) * (x - t) : Math.max(x, 0) - x * t + Math.log1p(Math.exp(-Math.abs(x)));
        }
        return new double[] {total / count};
    }

    /** The gradient of {@link #mean} with respect to the prediction, scaled by the upstream one. */
    static double[] meanGrad(Op op, List<double[]> in) {
        int size = in.get(0).length;
        double[] y = new double[size];
        for (int i = 0; i < size; i++) {
            double x = in.get(0)[i];
            double t = in.get(1)[i];
            double d = op instanceof MseGrad ? 2 * (x - t) : 1 / (1 + Math.exp(-x)) - t;
            y[i] = d * in.get(2)[0] / size;
        }
        return y;
    }
}
