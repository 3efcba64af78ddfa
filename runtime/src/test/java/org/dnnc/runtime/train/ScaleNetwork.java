package org.dnnc.runtime.train;

import java.util.List;
import org.dnnc.runtime.Inputs;
import org.dnnc.runtime.TensorSpec;

/**
 * A fake regression network: predicts {@code a * x} element by element with one learned scale
 * {@code a}, mean squared error per example, plain SGD. Trained on float targets ({@link
 * TargetKind#TARGETS}) or on its input ({@link TargetKind#INPUT}), where it checks that the
 * trainer passes the input alone.
 */
final class ScaleNetwork implements FakeNetwork {
    private final TargetKind kind;
    private final int features;
    private float a;
    private long steps;

    ScaleNetwork(TargetKind kind, int features) {
        this.kind = kind;
        this.features = features;
    }

    float scale() {
        return a;
    }

    @Override
    public String name() {
        return "Scale";
    }

    @Override
    public int maxBatch() {
        return 8;
    }

    @Override
    public List<TensorSpec> inputs() {
        return List.of(TensorSpec.floats("x", features));
    }

    @Override
    public TargetKind targetKind() {
        return kind;
    }

    @Override
    public List<TensorSpec> targets() {
        return kind == TargetKind.TARGETS ? List.of(TensorSpec.floats("y", features)) : List.of();
    }

    @Override
    public boolean hasAccuracy() {
        return false;
    }

    @Override
    public StepResult trainStep(Inputs batch, int count, double learningRate) {
        float[] x = batch.floats("x");
        float[] targets = kind == TargetKind.TARGETS ? batch.floats("y") : x;
        check(batch);
        // d/da of the batch mean of mean_j (a x_j - t_j)^2 is the mean of 2 (a x_j - t_j) x_j.
        double gradient = 0;
        for (int i = 0; i < count * features; i++) {
            gradient += 2 * (a * x[i] - targets[i]) * x[i];
        }
        StepResult result = loss(x, targets, count);
        a -= (float) (learningRate * gradient / (count * features));
        steps++;
        return result;
    }

    @Override
    public StepResult evaluateStep(Inputs batch, int count) {
        float[] x = batch.floats("x");
        float[] targets = kind == TargetKind.TARGETS ? batch.floats("y") : x;
        check(batch);
        return loss(x, targets, count);
    }

    private StepResult loss(float[] x, float[] targets, int count) {
        double sum = 0;
        for (int i = 0; i < count * features; i++) {
            double e = a * x[i] - targets[i];
            sum += e * e;
        }
        return new StepResult(sum / features, 0);
    }

    private void check(Inputs batch) {
        if (batch.names().size() != (kind == TargetKind.TARGETS ? 2 : 1)) {
            throw new AssertionError("wrong step arguments for " + kind + ": " + batch);
        }
    }

    @Override
    public int parameterCount() {
        return 1;
    }

    @Override
    public void copyParametersTo(float[] dst) {
        dst[0] = a;
    }

    @Override
    public void copyParametersFrom(float[] src) {
        a = src[0];
    }

    @Override
    public long steps() {
        return steps;
    }

    @Override
    public void close() {}
}
