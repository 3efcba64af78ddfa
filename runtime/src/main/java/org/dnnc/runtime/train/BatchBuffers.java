package org.dnnc.runtime.train;

import java.util.List;
import org.dnnc.runtime.Inputs;
import org.dnnc.runtime.cpu.Rng;
import org.dnnc.runtime.data.Augmentation;
import org.dnnc.runtime.data.BatchIterator;
import org.dnnc.runtime.data.Column;
import org.dnnc.runtime.data.ColumnBinding;
import org.dnnc.runtime.data.Dataset;

/**
 * The arrays one data set's batches are copied into (and augmented in, when training augments),
 * allocated once per run for {@code capacity} examples of every input and target the network reads.
 */
final class BatchBuffers {
    private final TrainableNetwork net;
    private final ColumnBinding binding;
    private final Inputs batch;
    private final Augmentation[] augmentations;
    /** The arrays that hold the data set's features, which augmentations change; empty without augmentation. */
    private final float[][] augmented;
    private final int[] exampleShape;
    private final int exampleSize;
    /** Of one example, for the augmentations. */
    private final float[] scratch;
    private final long seed;
    private final Rng rng;

    BatchBuffers(TrainableNetwork net, Dataset data, Feed feed, int capacity) {
        this(net, data, feed, capacity, List.of(), 0);
    }

    BatchBuffers(TrainableNetwork net, Dataset data, Feed feed, int capacity, List<Augmentation> augmentations,
            long seed) {
        this.net = net;
        this.binding = feed.binding();
        this.batch = feed.newBuffers(capacity);
        this.augmentations = augmentations.toArray(new Augmentation[0]);
        Column features = data.featureColumn().orElse(null);
        this.augmented = augmentations.isEmpty() || features == null ? new float[0][]
                : binding.asMap().entrySet().stream().filter(e -> e.getValue() == features)
                        .map(e -> batch.floats(e.getKey())).toArray(float[][]::new);
        this.exampleShape = features == null ? new int[0] : features.shape();
        this.exampleSize = features == null ? 0 : features.size();
        this.scratch = new float[augmentations.isEmpty() ? 0 : exampleSize];
        // Its own stream, so that augmenting leaves shuffling and dropout as they were.
        this.seed = seed ^ 0x41756753L;
        this.rng = new Rng(this.seed);
    }

    /**
     * Restarts the augmentation draws for epoch {@code epoch} (counting from 0): each epoch's
     * stream depends only on the seed and the epoch, so a run resumed there draws the same.
     */
    void startEpoch(int epoch) {
        rng.setState(seed + epoch * 0x632BE59BD9B4E019L);
    }

    /** Copies the next batch of {@code batches} in, augments it, and returns its size. */
    int fill(BatchIterator batches) {
        int n = batches.next(batch, binding);
        for (float[] x : augmented) {
            for (int i = 0; i < n; i++) {
                for (Augmentation a : augmentations) {
                    a.apply(x, i * exampleSize, exampleShape, rng, scratch);
                }
            }
        }
        return n;
    }

    StepResult train(int count, double learningRate) {
        return net.trainStep(batch, count, learningRate);
    }

    /** Starts a step on the batch filled last; the arrays may be refilled as soon as it returns. */
    PendingStep start(int count, double learningRate) {
        return net.startTrainStep(batch, count, learningRate);
    }

    StepResult evaluate(int count) {
        return net.evaluateStep(batch, count);
    }
}
