package org.dnnc.runtime.data;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Objects;
import java.util.SplittableRandom;
import org.dnnc.runtime.io.Npy;
import org.dnnc.runtime.io.NpyArray;

/**
 * An immutable set of examples in memory: each has features of one fixed shape (such as
 * {@code [1, 28, 28]} for a grey-scale image) and either a class label (classification) or a
 * vector of float targets (regression). Features of all examples lie in one array in C order,
 * which {@link Batches} copies from without allocating.
 */
public final class Dataset {
    /** Scales unsigned-byte pixels to [0, 1]. */
    private static final float PIXEL_SCALE = 1f / 255;

    // The package-private fields are read in place by Batches and Standardization, which must not
    // copy whole data sets; nothing outside this package sees them.
    private final int size;
    private final int[] exampleShape;
    final int exampleSize;
    /** {@code size * exampleSize} values, example after example. */
    final float[] features;
    /** One class index per example, or {@code null} for a regression data set. */
    final int[] labels;
    /** {@code size * targetSize} values, or {@code null} for a classification data set. */
    final float[] targets;
    private final int[] targetShape;
    final int targetSize;

    /** Takes ownership of the arrays, which the factories have checked or copied. */
    private Dataset(int size, int[] exampleShape, float[] features, int[] labels, float[] targets, int[] targetShape) {
        this.size = size;
        this.exampleShape = exampleShape;
        this.exampleSize = elements(exampleShape);
        this.features = features;
        this.labels = labels;
        this.targets = targets;
        this.targetShape = targetShape;
        this.targetSize = elements(targetShape);
    }

    /**
     * A classification data set: {@code features} holds the examples one after the other (C order),
     * each of shape {@code exampleShape}, and {@code labels} their class indices. Both are copied.
     *
     * @throws IllegalArgumentException if the lengths disagree or a label is negative
     */
    public static Dataset of(float[] features, int[] exampleShape, int[] labels) {
        checkFeatures(features, exampleShape, labels.length);
        for (int i = 0; i < labels.length; i++) {
            if (labels[i] < 0) {
                throw new IllegalArgumentException("label " + labels[i] + " of example " + i + " is negative");
            }
        }
        return new Dataset(labels.length, exampleShape.clone(), features.clone(), labels.clone(), null, new int[0]);
    }

    /**
     * A regression data set: like {@link #of}, but each example has float targets of shape
     * {@code targetShape} (for example {@code [1]} for one value) instead of a label. Arrays are copied.
     *
     * @throws IllegalArgumentException if the lengths disagree
     */
    public static Dataset regression(float[] features, int[] exampleShape, float[] targets, int[] targetShape) {
        int targetSize = elements(targetShape);
        if (targetSize == 0 || targets.length % targetSize != 0) {
            throw new IllegalArgumentException(targets.length + " targets do not split into examples of shape "
                    + Arrays.toString(targetShape));
        }
        int size = targets.length / targetSize;
        checkFeatures(features, exampleShape, size);
        return new Dataset(size, exampleShape.clone(), features.clone(), null, targets.clone(), targetShape.clone());
    }

    /**
     * Images and labels from an IDX pair such as MNIST's: pixels become floats in [0, 1], and each
     * example has shape {@code [1, rows, cols]} (one channel, as the networks' NCHW inputs expect).
     *
     * @throws IOException if a file is invalid (see {@link Idx#read}), the images are not
     *     {@code [n, rows, cols]}, the labels not {@code [n]}, or the counts differ
     */
    public static Dataset fromIdx(Path images, Path labels) throws IOException {
        IdxArray x = Idx.read(images);
        IdxArray y = Idx.read(labels);
        if (x.shape().length != 3) {
            throw new IOException(images + ": expected images [n, rows, cols] (magic 0x00000803), found shape "
                    + Arrays.toString(x.shape()));
        }
        if (y.shape().length != 1) {
            throw new IOException(labels + ": expected labels [n] (magic 0x00000801), found shape "
                    + Arrays.toString(y.shape()));
        }
        if (x.count() != y.count()) {
            throw new IOException(labels + ": holds " + y.count() + " labels, but " + images + " holds "
                    + x.count() + " images");
        }
        int[] shape = x.shape();
        return new Dataset(x.count(), new int[] {1, shape[1], shape[2]}, x.floats(PIXEL_SCALE), y.ints(), null, new int[0]);
    }

    /**
     * Examples from a pair of {@code .npy} files: {@code x} of shape {@code [n, ...]} holding
     * float32, float64 or uint8 (pixels, scaled to [0, 1]); {@code y} either integer class labels
     * of shape {@code [n]} or float regression targets of shape {@code [n, ...]}.
     *
     * @throws IOException if a file is invalid, holds another element type, or the counts differ
     */
    public static Dataset fromNpy(Path x, Path y) throws IOException {
        NpyArray xs = Npy.read(x);
        NpyArray ys = Npy.read(y);
        int[] xShape = xs.shape();
        int[] yShape = ys.shape();
        if (xShape.length == 0 || yShape.length == 0 || xShape[0] != yShape[0]) {
            throw new IOException(y + ": shape " + Arrays.toString(yShape) + " does not match the examples of " + x
                    + ", shape " + Arrays.toString(xShape) + " (both need the example count first)");
        }
        float[] features = switch (xs.dtype()) {
            case "<f4", "<f8" -> xs.floats();
            case "|u1" -> scale(xs.floats(), PIXEL_SCALE);
            default -> throw new IOException(x + ": features must be float32, float64 or uint8, found " + xs.dtype());
        };
        int[] exampleShape = Arrays.copyOfRange(xShape, 1, xShape.length);
        if (ys.dtype().contains("f")) {
            return new Dataset(xShape[0], exampleShape, features, null, ys.floats(), Arrays.copyOfRange(yShape, 1, yShape.length));
        }
        if (yShape.length != 1) {
            throw new IOException(y + ": integer labels must have shape [n], found " + Arrays.toString(yShape));
        }
        double[] values = ys.values();
        int[] labels = new int[values.length];
        for (int i = 0; i < labels.length; i++) {
            if (values[i] < 0 || values[i] > Integer.MAX_VALUE) {
                throw new IOException(y + ": label " + (long) values[i] + " of example " + i + " is not a class index");
            }
            labels[i] = (int) values[i];
        }
        return new Dataset(xShape[0], exampleShape, features, labels, null, new int[0]);
    }

    /** The number of examples. */
    public int size() {
        return size;
    }

    /** The shape of one example's features. */
    public int[] exampleShape() {
        return exampleShape.clone();
    }

    /** The number of feature values per example. */
    public int exampleSize() {
        return exampleSize;
    }

    /** Whether the examples have class labels (otherwise they have float targets). */
    public boolean hasLabels() {
        return labels != null;
    }

    /** The shape of one example's targets; empty for a classification data set. */
    public int[] targetShape() {
        return targetShape.clone();
    }

    /** The features of example {@code i}, copied. */
    public float[] features(int i) {
        int from = Math.multiplyExact(checkIndex(i), exampleSize);
        return Arrays.copyOfRange(features, from, from + exampleSize);
    }

    /**
     * The class index of example {@code i}.
     *
     * @throws IllegalStateException for a regression data set
     */
    public int label(int i) {
        requireLabels();
        return labels[checkIndex(i)];
    }

    /**
     * The targets of example {@code i}, copied.
     *
     * @throws IllegalStateException for a classification data set
     */
    public float[] targets(int i) {
        if (targets == null) {
            throw new IllegalStateException("this data set has class labels, not float targets");
        }
        int from = checkIndex(i) * targetSize;
        return Arrays.copyOfRange(targets, from, from + targetSize);
    }

    /**
     * How many examples each class has: element {@code c} counts label {@code c}; the length is
     * the largest label plus one.
     *
     * @throws IllegalStateException for a regression data set
     */
    public int[] classCounts() {
        requireLabels();
        int[] counts = new int[Arrays.stream(labels).max().orElse(-1) + 1];
        for (int label : labels) {
            counts[label]++;
        }
        return counts;
    }

    /** The first {@code n} examples (all of them if there are fewer). */
    public Dataset head(int n) {
        if (n < 0) {
            throw new IllegalArgumentException("negative example count " + n);
        }
        return subset(identity(Math.min(n, size)));
    }

    /** The examples at {@code indices}, in that order (an index may repeat). */
    public Dataset subset(int[] indices) {
        float[] x = new float[Math.multiplyExact(indices.length, exampleSize)];
        int[] y = labels == null ? null : new int[indices.length];
        float[] t = targets == null ? null : new float[indices.length * targetSize];
        for (int i = 0; i < indices.length; i++) {
            int example = checkIndex(indices[i]);
            System.arraycopy(features, example * exampleSize, x, i * exampleSize, exampleSize);
            if (y != null) {
                y[i] = labels[example];
            } else {
                System.arraycopy(targets, example * targetSize, t, i * targetSize, targetSize);
            }
        }
        return new Dataset(indices.length, exampleShape, x, y, t, targetShape);
    }

    /**
     * Splits off a random validation set of {@code round(size * validationFraction)} examples; the
     * rest is the training set. Which examples go where depends only on {@code seed}; both parts
     * keep the examples' original order.
     *
     * @throws IllegalArgumentException if the fraction is not strictly between 0 and 1 or leaves a
     *     part empty
     */
    public Split split(double validationFraction, long seed) {
        if (!(validationFraction > 0 && validationFraction < 1)) {
            throw new IllegalArgumentException("validation fraction " + validationFraction + " is not between 0 and 1");
        }
        int validation = (int) Math.round(size * validationFraction);
        if (validation == 0 || validation == size) {
            throw new IllegalArgumentException("a validation fraction of " + validationFraction + " of " + size
                    + " examples leaves the " + (validation == 0 ? "validation" : "training") + " set empty");
        }
        int[] order = identity(size);
        shuffle(order, new SplittableRandom(seed));
        int[] validationIndices = Arrays.copyOf(order, validation);
        int[] trainIndices = Arrays.copyOfRange(order, validation, size);
        Arrays.sort(validationIndices);
        Arrays.sort(trainIndices);
        return new Split(subset(trainIndices), subset(validationIndices));
    }

    /**
     * The same examples seen with another feature shape of the same number of values, for example
     * {@code [784]} instead of {@code [1, 28, 28]}.
     */
    public Dataset reshape(int... exampleShape) {
        if (elements(exampleShape) != exampleSize) {
            throw new IllegalArgumentException("cannot view examples of shape " + Arrays.toString(this.exampleShape)
                    + " as " + Arrays.toString(exampleShape) + ": the number of values differs");
        }
        return new Dataset(size, exampleShape.clone(), features, labels, targets, targetShape);
    }

    /** A data set with these examples' labels or targets and the given features (owned, not copied). */
    Dataset withFeatures(float[] newFeatures) {
        return new Dataset(size, exampleShape, newFeatures, labels, targets, targetShape);
    }

    @Override
    public String toString() {
        return "Dataset[" + size + " examples of " + Arrays.toString(exampleShape) + ", "
                + (labels != null ? "class labels" : "targets " + Arrays.toString(targetShape)) + "]";
    }

    /** A training set and the validation set split off it. */
    public record Split(Dataset train, Dataset validation) {}

    /** Fisher-Yates: every permutation equally likely, determined by {@code random}'s seed. */
    static void shuffle(int[] order, SplittableRandom random) {
        for (int i = order.length - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            int swap = order[i];
            order[i] = order[j];
            order[j] = swap;
        }
    }

    static int[] identity(int n) {
        int[] order = new int[n];
        Arrays.setAll(order, i -> i);
        return order;
    }

    private void requireLabels() {
        if (labels == null) {
            throw new IllegalStateException("this data set has float targets, not class labels");
        }
    }

    private int checkIndex(int i) {
        return Objects.checkIndex(i, size);
    }

    private static void checkFeatures(float[] features, int[] exampleShape, int count) {
        long expected = (long) elements(exampleShape) * count;
        if (features.length != expected) {
            throw new IllegalArgumentException(count + " examples of shape " + Arrays.toString(exampleShape)
                    + " need " + expected + " feature values, got " + features.length);
        }
    }

    private static int elements(int[] shape) {
        long count = 1;
        for (int d : shape) {
            if (d < 0) {
                throw new IllegalArgumentException("negative dimension in shape " + Arrays.toString(shape));
            }
            count *= d;
        }
        return Math.toIntExact(count);
    }

    private static float[] scale(float[] values, float factor) {
        for (int i = 0; i < values.length; i++) {
            values[i] *= factor;
        }
        return values;
    }
}
