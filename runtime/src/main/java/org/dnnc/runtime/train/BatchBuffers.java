package org.dnnc.runtime.train;

import org.dnnc.runtime.data.BatchIterator;
import org.dnnc.runtime.data.Dataset;

/**
 * The arrays one data set's batches are copied into, allocated once per run for {@code capacity}
 * examples, and the mapping from the network's {@link TargetKind} to the arguments of its steps.
 */
final class BatchBuffers {
    private final TrainableNetwork net;
    private final float[] x;
    /** The data set's labels, or {@code null} when it has targets instead. */
    private final int[] labels;
    /** The data set's targets, or {@code null} when it has labels instead. */
    private final float[] targets;

    BatchBuffers(TrainableNetwork net, Dataset data, int capacity) {
        this.net = net;
        this.x = new float[Math.multiplyExact(capacity, data.exampleSize())];
        if (data.hasLabels()) {
            this.labels = new int[capacity];
            this.targets = null;
        } else {
            this.labels = null;
            this.targets = new float[Math.multiplyExact(capacity, elements(data.targetShape()))];
        }
    }

    /** Copies the next batch of {@code batches} in and returns its size. */
    int fill(BatchIterator batches) {
        return labels != null ? batches.next(x, labels) : batches.next(x, targets);
    }

    StepResult train(int count, double learningRate) {
        return net.trainStep(x, stepLabels(), stepTargets(), count, learningRate);
    }

    StepResult evaluate(int count) {
        return net.evaluateStep(x, stepLabels(), stepTargets(), count);
    }

    private int[] stepLabels() {
        return net.targetKind() == TargetKind.LABELS ? labels : null;
    }

    private float[] stepTargets() {
        return switch (net.targetKind()) {
            case LABELS -> null;
            case TARGETS -> targets;
            case INPUT -> x;
        };
    }

    private static int elements(int[] shape) {
        int n = 1;
        for (int d : shape) {
            n = Math.multiplyExact(n, d);
        }
        return n;
    }
}
