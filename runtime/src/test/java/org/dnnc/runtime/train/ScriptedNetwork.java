package org.dnnc.runtime.train;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.function.LongToDoubleFunction;
import org.dnnc.runtime.Inputs;
import org.dnnc.runtime.TensorSpec;
import org.dnnc.runtime.data.Dataset;

/**
 * A fake network whose results are chosen by the test, so that the trainer's arithmetic can be
 * checked exactly. Inputs are one float per example: a training step reports the sum of its
 * inputs as the loss and the number of label-1 examples as correct. Validation reports the loss
 * the script gives for the number of steps taken. Its one "parameter" is the step count at the
 * last training step, so restoring parameters shows which epoch they came from.
 */
final class ScriptedNetwork implements FakeNetwork {
    private final int maxBatch;
    private final LongToDoubleFunction validationLoss;
    private final float[] parameter = new float[1];
    private long steps;
    /** The calls of trainStep (from 1) whose loss is NaN; such a call updates nothing unless told to. */
    Set<Integer> nanAtCalls = Set.of();
    private int calls;
    private boolean updateOnNonFinite;
    final List<String> log = new ArrayList<>();

    ScriptedNetwork(int maxBatch, LongToDoubleFunction validationLoss) {
        this.maxBatch = maxBatch;
        this.validationLoss = validationLoss;
    }

    /** Training data for it: inputs {@code xs}, labels alternating 1, 0, 1, ... */
    static Dataset data(float... xs) {
        int[] labels = new int[xs.length];
        for (int i = 0; i < labels.length; i++) {
            labels[i] = (i + 1) % 2;
        }
        return Dataset.of(xs, new int[] {1}, labels);
    }

    @Override
    public String name() {
        return "Scripted";
    }

    @Override
    public int maxBatch() {
        return maxBatch;
    }

    @Override
    public List<TensorSpec> inputs() {
        return List.of(TensorSpec.floats("x", 1));
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
    public void updateOnNonFiniteLoss(boolean update) {
        updateOnNonFinite = update;
    }

    @Override
    public boolean hasAccuracy() {
        return true;
    }

    @Override
    public StepResult trainStep(Inputs batch, int count, double learningRate) {
        float[] x = batch.floats("x");
        int[] labels = batch.ints("label");
        calls++;
        log.add("trainStep " + count);
        if (nanAtCalls.contains(calls) && !updateOnNonFinite) {
            return new StepResult(Double.NaN, ones(labels, count));
        }
        steps++;
        parameter[0] = steps;
        double loss = 0;
        for (int i = 0; i < count; i++) {
            loss += x[i];
        }
        return new StepResult(nanAtCalls.contains(calls) ? Double.NaN : loss, ones(labels, count));
    }

    @Override
    public StepResult evaluateStep(Inputs batch, int count) {
        int[] labels = batch.ints("label");
        log.add("evaluateStep " + count);
        return new StepResult(count * validationLoss.applyAsDouble(steps), ones(labels, count));
    }

    private static int ones(int[] labels, int count) {
        int n = 0;
        for (int i = 0; i < count; i++) {
            n += labels[i] == 1 ? 1 : 0;
        }
        return n;
    }

    @Override
    public int parameterCount() {
        return 1;
    }

    @Override
    public void copyParametersTo(float[] dst) {
        dst[0] = parameter[0];
    }

    @Override
    public void copyParametersFrom(float[] src) {
        log.add("restore " + (int) src[0]);
        parameter[0] = src[0];
    }

    /** The step count at which the current parameter was trained. */
    int parameterStep() {
        return (int) parameter[0];
    }

    @Override
    public long steps() {
        return steps;
    }

    @Override
    public void close() {}
}
