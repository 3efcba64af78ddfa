package org.dnnc.runtime.data;

import java.util.SplittableRandom;

/**
 * How a {@link Dataset} is cut into mini-batches: the batch size, whether each epoch visits the
 * examples in a shuffled order, and whether a last, smaller batch is dropped. Immutable; {@link
 * #epoch(int)} starts one pass over the data.
 *
 * <p>A training step allocates its buffers once ({@link #newFeatureBuffer()}, {@link
 * #newLabelBuffer()}) and the iterator fills them batch after batch:
 *
 * <pre>{@code
 * Batches batches = Batches.of(train, 64).shuffled(42);
 * float[] x = batches.newFeatureBuffer();
 * int[] y = batches.newLabelBuffer();
 * for (int epoch = 0; epoch < epochs; epoch++) {
 *     for (BatchIterator it = batches.epoch(epoch); it.hasNext(); ) {
 *         int n = it.next(x, y); // n < 64 only for the last batch
 *         step(x, y, n);
 *     }
 * }
 * }</pre>
 */
public final class Batches {
    private final Dataset data;
    private final int batchSize;
    private final boolean shuffle;
    private final long seed;
    private final boolean dropLast;

    private Batches(Dataset data, int batchSize, boolean shuffle, long seed, boolean dropLast) {
        this.data = data;
        this.batchSize = batchSize;
        this.shuffle = shuffle;
        this.seed = seed;
        this.dropLast = dropLast;
    }

    /**
     * Batches of {@code batchSize} examples in the data set's order; a last, smaller batch is
     * delivered with its real size.
     */
    public static Batches of(Dataset data, int batchSize) {
        if (batchSize <= 0) {
            throw new IllegalArgumentException("batch size " + batchSize + " is not positive");
        }
        return new Batches(data, batchSize, false, 0, false);
    }

    /**
     * The same batches over a shuffled order of the examples. The order depends only on {@code
     * seed} and the epoch number: it differs from epoch to epoch, and a run resumed at epoch
     * {@code k} sees the same orders as one that never stopped.
     */
    public Batches shuffled(long seed) {
        return new Batches(data, batchSize, true, seed, dropLast);
    }

    /** The same batches without the last one when it would be smaller than the batch size. */
    public Batches droppingLast() {
        return new Batches(data, batchSize, shuffle, seed, true);
    }

    public int batchSize() {
        return batchSize;
    }

    /** The number of batches in one epoch. */
    public int batchesPerEpoch() {
        int full = data.size() / batchSize;
        return dropLast || data.size() % batchSize == 0 ? full : full + 1;
    }

    /** A buffer for the features of one full batch: {@code batchSize * exampleSize} floats. */
    public float[] newFeatureBuffer() {
        return new float[Math.multiplyExact(batchSize, data.exampleSize)];
    }

    /** A buffer for the labels of one full batch. */
    public int[] newLabelBuffer() {
        return new int[batchSize];
    }

    /** A buffer for the regression targets of one full batch: {@code batchSize * targetSize} floats. */
    public float[] newTargetBuffer() {
        return new float[Math.multiplyExact(batchSize, data.targetSize)];
    }

    /** Starts epoch {@code epoch} (counting from 0). */
    public BatchIterator epoch(int epoch) {
        if (epoch < 0) {
            throw new IllegalArgumentException("negative epoch " + epoch);
        }
        // The data set's own order is an array too: one path through BatchIterator for training
        // and evaluation, so that code compiled for training's batches does not trap out when an
        // evaluation reads in order.
        int[] order = Dataset.identity(data.size());
        if (shuffle) {
            // The (epoch + 1)-th generator split off the seed's: independent streams per epoch,
            // reachable without replaying the earlier epochs' shuffles.
            SplittableRandom root = new SplittableRandom(seed);
            for (int e = 0; e < epoch; e++) {
                root.split();
            }
            Dataset.shuffle(order, root.split());
        }
        int examples = dropLast ? data.size() / batchSize * batchSize : data.size();
        return new BatchIterator(data, batchSize, order, examples);
    }
}
