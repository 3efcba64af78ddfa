package org.dnnc.runtime.cpu;

import java.nio.FloatBuffer;
import java.nio.IntBuffer;

/**
 * Loss functions, each fused with its gradient: one call returns the loss (PyTorch's mean
 * reduction) and writes the gradient of that loss with respect to the prediction, as if the
 * upstream gradient were 1. Sums are kept in {@code double}. Gradient outputs may be {@code null}
 * when only the loss is wanted (validation).
 *
 * <p>Labels are an {@link IntBuffer} so that they can live in an arena ({@link Arena#ints}) or
 * wrap a heap array ({@code IntBuffer.wrap(labels)}); only absolute {@code get(i)} is used.
 */
public final class Losses {

    private Losses() {}

    /**
     * Softmax cross-entropy with integer class labels, mean over the batch: {@code loss = mean_r
     * (logsumexp(logits[r, :]) - logits[r, label[r]])}, and {@code dlogits = (softmax(logits) -
     * onehot(label)) / batch}. {@code dlogits} may be {@code logits} itself.
     *
     * @throws IllegalArgumentException if a label is outside {@code [0, classes)}
     */
    public static float softmaxCrossEntropy(Buf logits, IntBuffer labels, Buf dlogits, int batch, int classes) {
        return dlogits == null ? crossEntropyLoss(logits, labels, batch, classes, false, 0)
                : softmaxCrossEntropy(logits, labels, dlogits, batch, classes, false, 0);
    }

    /**
     * As {@link #softmaxCrossEntropy(Buf, IntBuffer, Buf, int, int)}, except that rows whose label is
     * {@code ignore} (padding) take no part, as PyTorch's {@code ignore_index}: the loss is the mean
     * over the other rows, and the ignored rows' gradient is zero. A batch of ignored rows only has
     * loss 0 and a zero gradient. {@code ignore} need not be a class.
     *
     * @throws IllegalArgumentException if a label other than {@code ignore} is outside {@code [0, classes)}
     */
    public static float softmaxCrossEntropy(Buf logits, IntBuffer labels, Buf dlogits, int batch, int classes,
            int ignore) {
        return dlogits == null ? crossEntropyLoss(logits, labels, batch, classes, true, ignore)
                : softmaxCrossEntropy(logits, labels, dlogits, batch, classes, true, ignore);
    }

    /**
     * The loss of {@link #softmaxCrossEntropy(Buf, IntBuffer, Buf, int, int)} without its gradient,
     * the same float. Evaluation code calls this rather than passing a {@code null} gradient: the JIT
     * compiles the training step's loss for the gradient it always writes, and a first evaluation
     * through the same method would deoptimize it (an {@code unstable_if} trap).
     *
     * @throws IllegalArgumentException if a label is outside {@code [0, classes)}
     */
    public static float softmaxCrossEntropyLoss(Buf logits, IntBuffer labels, int batch, int classes) {
        return crossEntropyLoss(logits, labels, batch, classes, false, 0);
    }

    /**
     * The loss of {@link #softmaxCrossEntropy(Buf, IntBuffer, Buf, int, int, int)} without its
     * gradient, as {@link #softmaxCrossEntropyLoss(Buf, IntBuffer, int, int)}.
     *
     * @throws IllegalArgumentException if a label other than {@code ignore} is outside {@code [0, classes)}
     */
    public static float softmaxCrossEntropyLoss(Buf logits, IntBuffer labels, int batch, int classes, int ignore) {
        return crossEntropyLoss(logits, labels, batch, classes, true, ignore);
    }

    private static float softmaxCrossEntropy(Buf logits, IntBuffer labels, Buf dlogits, int batch, int classes,
            boolean ignoring, int ignore) {
        FloatBuffer xs = logits.data;
        FloatBuffer gs = dlogits.data;
        int counted = ignoring ? judged(labels, batch, ignore) : batch;
        float invCounted = counted == 0 ? 0f : 1f / counted;
        double total = 0;
        for (int r = 0, o = 0; r < batch; r++, o += classes) {
            int label = labels.get(r);
            if (ignoring && label == ignore) {
                for (int c = 0; c < classes; c++) {
                    gs.put(o + c, 0f);
                }
                continue;
            }
            checkLabel(label, r, classes);
            float max = Softmax.rowMax(xs, o, classes);
            double sum = sumExp(xs, o, classes, max);
            total += max + Math.log(sum) - xs.get(o + label);
            float inv = (float) (1.0 / sum);
            for (int c = 0; c < classes; c++) {
                float p = (float) Math.exp(xs.get(o + c) - max) * inv;
                gs.put(o + c, (c == label ? p - 1f : p) * invCounted);
            }
        }
        return counted == 0 ? 0f : (float) (total / counted);
    }

    private static float crossEntropyLoss(Buf logits, IntBuffer labels, int batch, int classes, boolean ignoring,
            int ignore) {
        FloatBuffer xs = logits.data;
        int counted = ignoring ? judged(labels, batch, ignore) : batch;
        double total = 0;
        for (int r = 0, o = 0; r < batch; r++, o += classes) {
            int label = labels.get(r);
            if (ignoring && label == ignore) {
                continue;
            }
            checkLabel(label, r, classes);
            float max = Softmax.rowMax(xs, o, classes);
            total += max + Math.log(sumExp(xs, o, classes, max)) - xs.get(o + label);
        }
        return counted == 0 ? 0f : (float) (total / counted);
    }

    private static void checkLabel(int label, int row, int classes) {
        if (label < 0 || label >= classes) {
            throw new IllegalArgumentException("label " + label + " of example " + row + " is not a class in [0, " + classes + ")");
        }
    }

    /** {@code sum_c exp(x[o + c] - max)} in {@code double}. */
    private static double sumExp(FloatBuffer xs, int o, int classes, float max) {
        double sum = 0;
        for (int c = 0; c < classes; c++) {
            sum += Math.exp(xs.get(o + c) - max);
        }
        return sum;
    }

    /** How many of the first {@code batch} labels are not {@code ignore}: the labels a loss and accuracy count. */
    public static int judged(IntBuffer labels, int batch, int ignore) {
        int counted = 0;
        for (int r = 0; r < batch; r++) {
            if (labels.get(r) != ignore) {
                counted++;
            }
        }
        return counted;
    }

    /**
     * Mean squared error over all {@code n} elements: {@code loss = mean((pred - target)^2)}, {@code
     * dpred = 2 (pred - target) / n}, {@code dtarget = -dpred} (autoencoders whose target is a
     * computed value need it; usually {@code null}).
     */
    public static float mse(Buf pred, Buf target, Buf dpred, Buf dtarget, int n) {
        FloatBuffer ps = pred.data;
        FloatBuffer ts = target.data;
        float k = 2f / n;
        double total = 0;
        for (int i = 0; i < n; i++) {
            float d = ps.get(i) - ts.get(i);
            total += (double) d * d;
            if (dpred != null) {
                dpred.data.put(i, k * d);
            }
            if (dtarget != null) {
                dtarget.data.put(i, -k * d);
            }
        }
        return (float) (total / n);
    }

    /**
     * Binary cross-entropy on logits, mean over all {@code n} elements, in the stable form {@code
     * max(x, 0) - x t + log(1 + exp(-|x|))}; {@code dlogits = (sigmoid(x) - t) / n}, {@code
     * dtarget = -x / n} (usually {@code null}).
     */
    public static float bceWithLogits(Buf logits, Buf target, Buf dlogits, Buf dtarget, int n) {
        FloatBuffer xs = logits.data;
        FloatBuffer ts = target.data;
        float invN = 1f / n;
        double total = 0;
        for (int i = 0; i < n; i++) {
            float x = xs.get(i);
            float t = ts.get(i);
            total += Math.max(x, 0f) - (double) x * t + Math.log1p(Math.exp(-Math.abs(x)));
            if (dlogits != null) {
                dlogits.data.put(i, (Activations.sigmoid(x) - t) * invN);
            }
            if (dtarget != null) {
                dtarget.data.put(i, -x * invN);
            }
        }
        return (float) (total / n);
    }

    /**
     * How many rows of {@code logits [batch, classes]} have their largest value (the first one, on
     * ties) at the label's index: the numerator of accuracy.
     */
    public static int countCorrect(Buf logits, IntBuffer labels, int batch, int classes) {
        return countCorrect(logits, labels, batch, classes, false, 0);
    }

    /** As {@link #countCorrect(Buf, IntBuffer, int, int)}, over the rows whose label is not {@code ignore}. */
    public static int countCorrect(Buf logits, IntBuffer labels, int batch, int classes, int ignore) {
        return countCorrect(logits, labels, batch, classes, true, ignore);
    }

    private static int countCorrect(Buf logits, IntBuffer labels, int batch, int classes, boolean ignoring,
            int ignore) {
        FloatBuffer xs = logits.data;
        int correct = 0;
        for (int r = 0, o = 0; r < batch; r++, o += classes) {
            if (ignoring && labels.get(r) == ignore) {
                continue;
            }
            int best = 0;
            float bestValue = xs.get(o);
            for (int c = 1; c < classes; c++) {
                float v = xs.get(o + c);
                if (v > bestValue) {
                    bestValue = v;
                    best = c;
                }
            }
            if (best == labels.get(r)) {
                correct++;
            }
        }
        return correct;
    }
}
