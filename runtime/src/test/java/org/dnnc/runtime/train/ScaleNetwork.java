package org.dnnc.runtime.train;

/**
 * A fake regression network: predicts {@code a * x} element by element with one learned scale
 * {@code a}, mean squared error per example, plain SGD. Trained on float targets ({@link
 * TargetKind#TARGETS}) or on its input ({@link TargetKind#INPUT}), where it checks that the
 * trainer passes the input array as the targets.
 */
final class ScaleNetwork implements TrainableNetwork {
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
    public int[] inputShape() {
        return new int[] {features};
    }

    @Override
    public TargetKind targetKind() {
        return kind;
    }

    @Override
    public int[] targetShape() {
        return kind == TargetKind.TARGETS ? new int[] {features} : new int[0];
    }

    @Override
    public boolean hasAccuracy() {
        return false;
    }

    @Override
    public StepResult trainStep(float[] x, int[] labels, float[] targets, int count, double learningRate) {
        check(x, labels, targets);
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
    public StepResult evaluateStep(float[] x, int[] labels, float[] targets, int count) {
        check(x, labels, targets);
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

    private void check(float[] x, int[] labels, float[] targets) {
        if (labels != null || targets == null || (kind == TargetKind.INPUT) != (targets == x)) {
            throw new AssertionError("wrong step arguments for " + kind);
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
