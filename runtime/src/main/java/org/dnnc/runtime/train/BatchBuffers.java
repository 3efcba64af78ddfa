package org.dnnc.runtime.train;

import java.util.List;
import org.dnnc.runtime.cpu.Rng;
import org.dnnc.runtime.data.Augmentation;
import org.dnnc.runtime.data.BatchIterator;
import org.dnnc.runtime.data.Dataset;

/**
 * The arrays one data set's batches are copied into (and augmented in, when training augments),
 * allocated once per run for {@code capacity} examples, and the mapping from the network's {@link TargetKind} to the arguments of its steps.
 */
final class BatchBuffers {
    private final TrainableNetwork net;
    private final float[] x;
    /** The data set's labels, or {@code null} when it has targets instead. */
    private final int[] labels;
    /** The data set's targets, or {@code null} when it has labels instead. */
    private final float[] targets;
    private final Augmentation[] augmentations;
    private final int[] exampleShape;
    private final int exampleSize;
    /** Of one example, for the augmentations. */
    private final float[] scratch;
    /** The features before augmentation, the targets of a network that reconstructs its input; else null. */
    private final float[] clean;
    private final Rng rng;

    BatchBuffers(TrainableNetwork net, Dataset data, int capacity) {
        this(net, data, capacity, List.of(), 0);
    }

    BatchBuffers(TrainableNetwork net, Dataset data, int capacity, List<Augmentation> augmentations, long seed) {
        this.net = net;
        this.x = new float[Math.multiplyExact(capacity, data.exampleSize())];
        this.augmentations = augmentations.toArray(new Augmentation[0]);
        this.exampleShape = data.exampleShape();
        this.exampleSize = data.exampleSize();
        this.scratch = new float[augmentations.isEmpty() ? 0 : exampleSize];
        this.clean = !augmentations.isEmpty() && net.targetKind() == TargetKind.INPUT ? new float[x.length] : null;
        // Its own stream, so that augmenting leaves shuffling and dropout as they were.
        this.rng = new Rng(seed ^ 0x41756753L);
        if (data.hasLabels()) {
            this.labels = new int[capacity];
            this.targets = null;
        } else {
            this.labels = null;
            this.targets = new float[Math.multiplyExact(capacity, elements(data.targetShape()))];
        }
    }

    /** Copies the next batch of {@code batches} in, augments it, and returns its size. */
    int fill(BatchIterator batches) {
        int n = labels != null ? batches.next(x, labels) : batches.next(x, targets);
        if (augmentations.length > 0) {
            if (clean != null) {
                System.arraycopy(x, 0, clean, 0, n * exampleSize);
            }
            for (int i = 0; i < n; i++) {
                for (Augmentation a : augmentations) {
                    a.apply(x, i * exampleSize, exampleShape, rng, scratch);
                }
            }
        }
        return n;
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
            case INPUT -> clean != null ? clean : x;
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
