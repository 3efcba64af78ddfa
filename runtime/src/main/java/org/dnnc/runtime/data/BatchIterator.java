package org.dnnc.runtime.data;

import java.nio.FloatBuffer;
import java.nio.IntBuffer;
import java.util.NoSuchElementException;
import org.dnnc.runtime.Inputs;

/**
 * One epoch of mini-batches from {@link Batches#epoch(int)}. Each {@code next} call copies the
 * next batch into buffers the caller allocated once (arrays, or buffers over native memory) and
 * returns how many examples it holds; it allocates nothing. Buffer entries past a short last
 * batch keep their previous values.
 */
public final class BatchIterator {
    private final Dataset data;
    private final int batchSize;
    /** The examples in visiting order. */
    private final int[] order;
    private final int end;
    private int position;

    BatchIterator(Dataset data, int batchSize, int[] order, int end) {
        this.data = data;
        this.batchSize = batchSize;
        this.order = order;
        this.end = end;
    }

    /** Whether another batch remains in this epoch. */
    public boolean hasNext() {
        return position < end;
    }

    /**
     * Copies the next batch's features and class labels.
     *
     * @param features at least {@code batchSize * exampleSize} floats
     * @param labels at least {@code batchSize} ints
     * @return the number of examples copied
     */
    public int next(float[] features, int[] labels) {
        int n = start(features.length, labels.length, true);
        int width = data.exampleSize;
        for (int i = 0; i < n; i++) {
            int example = example(i);
            System.arraycopy(data.features, example * width, features, i * width, width);
            labels[i] = data.labels[example];
        }
        position += n;
        return n;
    }

    /**
     * Copies the next batch's features and class labels into buffers (from index 0, leaving their
     * positions unchanged), for example over native memory.
     *
     * @return the number of examples copied
     */
    public int next(FloatBuffer features, IntBuffer labels) {
        int n = start(features.limit(), labels.limit(), true);
        int width = data.exampleSize;
        for (int i = 0; i < n; i++) {
            int example = example(i);
            features.put(i * width, data.features, example * width, width);
            labels.put(i, data.labels[example]);
        }
        position += n;
        return n;
    }

    /**
     * Copies the next batch's features and regression targets.
     *
     * @param features at least {@code batchSize * exampleSize} floats
     * @param targets at least {@code batchSize * targetSize} floats
     * @return the number of examples copied
     */
    public int next(float[] features, float[] targets) {
        int n = start(features.length, targets.length, false);
        int width = data.exampleSize;
        int targetWidth = data.targetSize;
        for (int i = 0; i < n; i++) {
            int example = example(i);
            System.arraycopy(data.features, example * width, features, i * width, width);
            System.arraycopy(data.targets, example * targetWidth, targets, i * targetWidth, targetWidth);
        }
        position += n;
        return n;
    }

    /**
     * Copies the next batch's features and regression targets into buffers (from index 0, leaving
     * their positions unchanged).
     *
     * @return the number of examples copied
     */
    public int next(FloatBuffer features, FloatBuffer targets) {
        int n = start(features.limit(), targets.limit(), false);
        int width = data.exampleSize;
        int targetWidth = data.targetSize;
        for (int i = 0; i < n; i++) {
            int example = example(i);
            features.put(i * width, data.features, example * width, width);
            targets.put(i * targetWidth, data.targets, example * targetWidth, targetWidth);
        }
        position += n;
        return n;
    }

    /**
     * Copies the next batch of each column in {@code binding} into the array that {@code into}
     * holds under the name of the input that reads it (which may differ from the column's).
     *
     * @param into arrays of at least {@code batchSize} examples of each bound column, of its element type
     * @return the number of examples copied
     */
    public int next(Inputs into, ColumnBinding binding) {
        if (!hasNext()) {
            throw new NoSuchElementException("this epoch has no more batches");
        }
        int n = Math.min(batchSize, end - position);
        for (int k = 0; k < binding.names.length; k++) {
            String name = binding.names[k];
            Column c = binding.columns[k];
            int width = c.size;
            long needed = (long) batchSize * width;
            if (c.floats != null) {
                float[] dst = into.floats(name);
                checkCapacity(name, dst.length, needed);
                for (int i = 0; i < n; i++) {
                    System.arraycopy(c.floats, example(i) * width, dst, i * width, width);
                }
            } else {
                int[] dst = into.ints(name);
                checkCapacity(name, dst.length, needed);
                for (int i = 0; i < n; i++) {
                    System.arraycopy(c.ints, example(i) * width, dst, i * width, width);
                }
            }
        }
        position += n;
        return n;
    }

    private static void checkCapacity(String name, int capacity, long needed) {
        if (capacity < needed) {
            throw new IllegalArgumentException("the buffer for `" + name + "` holds " + capacity
                    + " values, a batch needs " + needed);
        }
    }

    /** Checks the call and the buffers' capacity, and returns the size of the next batch. */
    private int start(int featureCapacity, int targetCapacity, boolean wantLabels) {
        if (!hasNext()) {
            throw new NoSuchElementException("this epoch has no more batches");
        }
        if (wantLabels != data.hasLabels()) {
            throw new IllegalStateException(wantLabels
                    ? "this data set has float targets, not class labels: pass a float buffer for them"
                    : "this data set has class labels, not float targets: pass an int buffer for them");
        }
        long featuresNeeded = (long) batchSize * data.exampleSize;
        if (featureCapacity < featuresNeeded) {
            throw new IllegalArgumentException("the feature buffer holds " + featureCapacity + " floats, a batch needs "
                    + batchSize + " x " + data.exampleSize + " = " + featuresNeeded);
        }
        long targetsNeeded = wantLabels ? batchSize : (long) batchSize * data.targetSize;
        if (targetCapacity < targetsNeeded) {
            throw new IllegalArgumentException("the " + (wantLabels ? "label" : "target") + " buffer holds "
                    + targetCapacity + " values, a batch needs " + targetsNeeded);
        }
        return Math.min(batchSize, end - position);
    }

    private int example(int i) {
        return order[position + i];
    }
}
