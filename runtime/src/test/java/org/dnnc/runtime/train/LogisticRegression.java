package org.dnnc.runtime.train;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import org.dnnc.runtime.Inputs;
import org.dnnc.runtime.TensorSpec;

/**
 * A fake generated network for the trainer's tests: softmax regression (multinomial logistic
 * regression) in plain Java, {@code logits = W x + b} with W {@code [classes, features]}, mean
 * cross-entropy over the batch and plain SGD on its exact gradient. Records the batch sizes and
 * learning rates it was stepped with.
 */
final class LogisticRegression implements FakeNetwork {
    private final int features;
    private final int classes;
    private final int maxBatch;
    /** W row by row, then b. */
    private final float[] params;
    private final float[] grad;
    private final double[] probs;
    private long steps;
    final List<Integer> trainCounts = new ArrayList<>();
    final List<Double> rates = new ArrayList<>();

    LogisticRegression(int features, int classes, int maxBatch) {
        this.features = features;
        this.classes = classes;
        this.maxBatch = maxBatch;
        this.params = new float[classes * features + classes];
        this.grad = new float[params.length];
        this.probs = new double[classes];
    }

    @Override
    public String name() {
        return "LogisticRegression";
    }

    @Override
    public int maxBatch() {
        return maxBatch;
    }

    @Override
    public List<TensorSpec> inputs() {
        return List.of(TensorSpec.floats("x", features));
    }

    @Override
    public TargetKind targetKind() {
        return TargetKind.LABELS;
    }

    @Override
    public List<TensorSpec> targets() {
        return List.of(TensorSpec.ints("label"));
    }

    @Override
    public int classes() {
        return classes;
    }

    @Override
    public boolean hasAccuracy() {
        return true;
    }

    @Override
    public StepResult trainStep(Inputs batch, int count, double learningRate) {
        float[] x = batch.floats("x");
        int[] labels = batch.ints("label");
        check(batch, count);
        trainCounts.add(count);
        rates.add(learningRate);
        Arrays.fill(grad, 0);
        StepResult result = forward(x, labels, count, true);
        for (int i = 0; i < params.length; i++) {
            params[i] -= (float) (learningRate * grad[i] / count);
        }
        steps++;
        return result;
    }

    @Override
    public StepResult evaluateStep(Inputs batch, int count) {
        float[] x = batch.floats("x");
        int[] labels = batch.ints("label");
        check(batch, count);
        return forward(x, labels, count, false);
    }

    /** Loss and correct count over the batch; with {@code accumulate}, adds the summed gradient to {@link #grad}. */
    private StepResult forward(float[] x, int[] labels, int count, boolean accumulate) {
        double lossSum = 0;
        int correct = 0;
        int biases = classes * features;
        for (int n = 0; n < count; n++) {
            double max = Double.NEGATIVE_INFINITY;
            int argmax = 0;
            for (int c = 0; c < classes; c++) {
                double z = params[biases + c];
                for (int f = 0; f < features; f++) {
                    z += params[c * features + f] * x[n * features + f];
                }
                probs[c] = z;
                if (z > max) {
                    max = z;
                    argmax = c;
                }
            }
            double sum = 0;
            for (int c = 0; c < classes; c++) {
                probs[c] = Math.exp(probs[c] - max);
                sum += probs[c];
            }
            int y = labels[n];
            lossSum += -Math.log(probs[y] / sum);
            correct += argmax == y ? 1 : 0;
            if (accumulate) {
                // d(cross-entropy)/d(logit c) = softmax_c - [c == y].
                for (int c = 0; c < classes; c++) {
                    float d = (float) (probs[c] / sum - (c == y ? 1 : 0));
                    for (int f = 0; f < features; f++) {
                        grad[c * features + f] += d * x[n * features + f];
                    }
                    grad[biases + c] += d;
                }
            }
        }
        return new StepResult(lossSum, correct);
    }

    private void check(Inputs batch, int count) {
        if (!batch.names().equals(Set.of("x", "label")) || count < 1 || count > maxBatch) {
            throw new AssertionError("bad step arguments: " + batch + ", count " + count);
        }
    }

    @Override
    public int parameterCount() {
        return params.length;
    }

    @Override
    public void copyParametersTo(float[] dst) {
        System.arraycopy(params, 0, dst, 0, params.length);
    }

    @Override
    public void copyParametersFrom(float[] src) {
        System.arraycopy(src, 0, params, 0, params.length);
    }

    @Override
    public long steps() {
        return steps;
    }

    @Override
    public void close() {}
}
