package org.dnnc.runtime.data;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.stream.Collectors;
import org.dnnc.runtime.io.Npy;
import org.dnnc.runtime.io.NpyArray;

/**
 * An immutable set of examples in memory, as named columns of one element type and example shape
 * each: {@code image: float[1, 28, 28]} and {@code label: int} for Fashion-MNIST, or any columns a
 * network with several inputs reads ({@link #builder()}). The values of each column lie in one array
 * in C order, which {@link Batches} copies from without allocating.
 *
 * <p>Three columns may have a role: the <em>features</em> (a float column that standardization and
 * augmentation act on and that a network with one float input reads whatever its name), the class
 * <em>labels</em> and the float regression <em>targets</em>. A network's inputs are matched with
 * columns by name first, then by role (see {@code Trainer}).
 */
public final class Dataset {
    /** Scales unsigned-byte pixels to [0, 1]. */
    private static final float PIXEL_SCALE = 1f / 255;

    private final int size;
    private final Map<String, Column> columns;
    private final Column featureColumn;
    private final Column labelColumn;
    private final Column targetColumn;

    // The package-private fields are the role columns' arrays, read in place by Batches and
    // Standardization, which must not copy whole data sets; nothing outside this package sees them.
    final int exampleSize;
    /** {@code size * exampleSize} values, example after example, or {@code null} without features. */
    final float[] features;
    /** One class index per example, or {@code null} without labels. */
    final int[] labels;
    /** {@code size * targetSize} values, or {@code null} without targets. */
    final float[] targets;
    final int targetSize;

    /** Takes ownership of the columns, which the factories have checked. */
    private Dataset(int size, List<Column> columns, String features, String labels, String targets) {
        this.size = size;
        this.columns = new LinkedHashMap<>();
        for (Column c : columns) {
            if (this.columns.put(c.name(), c) != null) {
                throw new IllegalArgumentException("two columns are named `" + c.name() + "`");
            }
        }
        this.featureColumn = features == null ? null : this.columns.get(features);
        this.labelColumn = labels == null ? null : this.columns.get(labels);
        this.targetColumn = targets == null ? null : this.columns.get(targets);
        this.exampleSize = featureColumn == null ? 0 : featureColumn.size;
        this.features = featureColumn == null ? null : featureColumn.floats;
        this.labels = labelColumn == null ? null : labelColumn.ints;
        this.targets = targetColumn == null ? null : targetColumn.floats;
        this.targetSize = targetColumn == null ? 0 : targetColumn.size;
    }

    private static Dataset classification(int size, Column features, Column labels) {
        return new Dataset(size, List.of(features, labels), features.name(), labels.name(), null);
    }

    /** Starts a data set of named columns, for networks with several inputs or targets. */
    public static Builder builder() {
        return new Builder();
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
        return classification(labels.length, Column.ofFloats("features", features.clone(), exampleShape.clone()),
                Column.ofInts("labels", labels.clone(), new int[0]));
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
        return new Dataset(size, List.of(Column.ofFloats("features", features.clone(), exampleShape.clone()),
                Column.ofFloats("targets", targets.clone(), targetShape.clone())), "features", null, "targets");
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
        return classification(x.count(), Column.ofFloats("image", x.floats(PIXEL_SCALE), new int[] {1, shape[1], shape[2]}),
                Column.ofInts("label", y.ints(), new int[0]));
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
            return new Dataset(xShape[0], List.of(Column.ofFloats("x", features, exampleShape),
                    Column.ofFloats("y", ys.floats(), Arrays.copyOfRange(yShape, 1, yShape.length))), "x", null, "y");
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
        return classification(xShape[0], Column.ofFloats("x", features, exampleShape), Column.ofInts("y", labels, new int[0]));
    }

    /**
     * Examples from a folder of {@code .npy} files, one column per file named by its stem
     * ({@code tokens.npy} of shape {@code [n, 40]} is the column {@code tokens: int[40]}; a
     * {@code lengths.npy} of shape {@code [n]} one int per example). Floating-point arrays give float
     * columns, integer arrays int columns; every file holds the same number of examples. When the
     * folder holds one float array, it is the features column, which a network with one float input
     * reads whatever its input is called.
     *
     * @throws IOException if the folder holds no {@code .npy} file, a file is invalid, an integer
     *     does not fit an int, or the example counts differ (the message names the files)
     */
    public static Dataset fromNpyFolder(Path folder) throws IOException {
        return NpyFolder.read(folder);
    }

    /** The number of examples. */
    public int size() {
        return size;
    }

    /** The columns, in the order they were given. */
    public List<Column> columns() {
        return List.copyOf(columns.values());
    }

    /** Whether the data set has a column named {@code name}. */
    public boolean hasColumn(String name) {
        return columns.containsKey(name);
    }

    /**
     * The column named {@code name}.
     *
     * @throws IllegalArgumentException if there is none (the message lists the columns)
     */
    public Column column(String name) {
        Column c = columns.get(name);
        if (c == null) {
            throw new IllegalArgumentException("no column `" + name + "` in " + this);
        }
        return c;
    }

    /** The features column, if the data set has one. */
    public Optional<Column> featureColumn() {
        return Optional.ofNullable(featureColumn);
    }

    /** The class-label column, if the data set has one. */
    public Optional<Column> labelColumn() {
        return Optional.ofNullable(labelColumn);
    }

    /** The float-target column, if the data set has one. */
    public Optional<Column> targetColumn() {
        return Optional.ofNullable(targetColumn);
    }

    /**
     * The shape of one example's features.
     *
     * @throws IllegalStateException if the data set has no features column
     */
    public int[] exampleShape() {
        return requireFeatures().shape();
    }

    /** The number of feature values per example (0 without a features column). */
    public int exampleSize() {
        return exampleSize;
    }

    /** Whether the examples have class labels. */
    public boolean hasLabels() {
        return labels != null;
    }

    /** The shape of one example's float targets; empty without a target column. */
    public int[] targetShape() {
        return targetColumn == null ? new int[0] : targetColumn.shape();
    }

    /** The features of example {@code i}, copied. */
    public float[] features(int i) {
        requireFeatures();
        int from = Math.multiplyExact(checkIndex(i), exampleSize);
        return Arrays.copyOfRange(features, from, from + exampleSize);
    }

    /**
     * The class index of example {@code i}.
     *
     * @throws IllegalStateException without a label column
     */
    public int label(int i) {
        requireLabels();
        return labels[checkIndex(i)];
    }

    /**
     * The targets of example {@code i}, copied.
     *
     * @throws IllegalStateException without a target column
     */
    public float[] targets(int i) {
        if (targets == null) {
            throw new IllegalStateException("this data set has no float targets: " + this);
        }
        int from = checkIndex(i) * targetSize;
        return Arrays.copyOfRange(targets, from, from + targetSize);
    }

    /**
     * How many examples each class has: element {@code c} counts label {@code c}; the length is
     * the largest label plus one.
     *
     * @throws IllegalStateException without a label column
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
        for (int index : indices) {
            checkIndex(index);
        }
        List<Column> picked = new ArrayList<>();
        for (Column c : columns.values()) {
            picked.add(c.subset(indices));
        }
        return new Dataset(indices.length, picked, roleName(featureColumn), roleName(labelColumn),
                roleName(targetColumn));
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
        Column f = requireFeatures();
        if (elements(exampleShape) != exampleSize) {
            throw new IllegalArgumentException("cannot view examples of shape " + Arrays.toString(f.shape())
                    + " as " + Arrays.toString(exampleShape) + ": the number of values differs");
        }
        return withFeatureColumn(f.withFloats(features, exampleShape.clone()));
    }

    /** The same columns with {@code name} as the features column. */
    Dataset withFeatureRole(String name) {
        return new Dataset(size, List.copyOf(columns.values()), name, roleName(labelColumn), roleName(targetColumn));
    }

    /** A data set with these examples' other columns and the given features (owned, not copied). */
    Dataset withFeatures(float[] newFeatures) {
        Column f = requireFeatures();
        return withFeatureColumn(f.withFloats(newFeatures, f.shape()));
    }

    private Dataset withFeatureColumn(Column replacement) {
        List<Column> all = new ArrayList<>();
        for (Column c : columns.values()) {
            all.add(c == featureColumn ? replacement : c);
        }
        return new Dataset(size, all, replacement.name(), roleName(labelColumn), roleName(targetColumn));
    }

    @Override
    public String toString() {
        return "Dataset[" + size + " examples: " + columns.values().stream().map(c -> {
            String role = c == featureColumn ? " (features)" : c == labelColumn ? " (labels)"
                    : c == targetColumn ? " (targets)" : "";
            return c + role;
        }).collect(Collectors.joining(", ")) + "]";
    }

    /** A training set and the validation set split off it. */
    public record Split(Dataset train, Dataset validation) {}

    /**
     * Builds a data set of named columns; all columns hold the same number of examples. At most one
     * column has each role (features, labels, targets).
     *
     * <pre>{@code
     * Dataset data = Dataset.builder()
     *         .features("image", pixels, 1, 28, 28)
     *         .ints("class_id", ids)
     *         .labels("label", labels)
     *         .build();
     * }</pre>
     */
    public static final class Builder {
        private final List<Column> columns = new ArrayList<>();
        private String features;
        private String labels;
        private String targets;

        private Builder() {}

        /** Adds the float features column (standardized and augmented, when training asks); values are copied. */
        public Builder features(String name, float[] values, int... shape) {
            if (features != null) {
                throw new IllegalStateException("the features column is `" + features + "` already");
            }
            features = name;
            return floats(name, values, shape);
        }

        /** Adds the class-label column (non-negative class indices, one per example); values are copied. */
        public Builder labels(String name, int[] values) {
            if (labels != null) {
                throw new IllegalStateException("the label column is `" + labels + "` already");
            }
            for (int i = 0; i < values.length; i++) {
                if (values[i] < 0) {
                    throw new IllegalArgumentException("label " + values[i] + " of example " + i + " is negative");
                }
            }
            labels = name;
            return ints(name, values);
        }

        /** Adds the float regression-target column; values are copied. */
        public Builder targets(String name, float[] values, int... shape) {
            if (targets != null) {
                throw new IllegalStateException("the target column is `" + targets + "` already");
            }
            targets = name;
            return floats(name, values, shape);
        }

        /** Adds a float column of examples of {@code shape}; values are copied. */
        public Builder floats(String name, float[] values, int... shape) {
            columns.add(Column.ofFloats(name, values.clone(), shape.clone()));
            return this;
        }

        /** Adds an int column (token ids, lengths) of examples of {@code shape}, none for one int each; values are copied. */
        public Builder ints(String name, int[] values, int... shape) {
            columns.add(Column.ofInts(name, values.clone(), shape.clone()));
            return this;
        }

        /**
         * The data set.
         *
         * @throws IllegalArgumentException without columns, with two of one name, or with columns
         *     that are not a whole and equal number of examples
         */
        public Dataset build() {
            if (columns.isEmpty()) {
                throw new IllegalArgumentException("a data set needs at least one column");
            }
            Column first = columns.get(0);
            int count = first.count();
            for (Column c : columns) {
                Column.checkLength(c.name(), c.floats != null ? c.floats.length : c.ints.length, c.shape(), count);
            }
            return new Dataset(count, columns, features, labels, targets);
        }
    }

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
            throw new IllegalStateException("this data set has no class labels: " + this);
        }
    }

    private Column requireFeatures() {
        if (featureColumn == null) {
            throw new IllegalStateException("this data set has no float features column: " + this);
        }
        return featureColumn;
    }

    private static String roleName(Column c) {
        return c == null ? null : c.name();
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
