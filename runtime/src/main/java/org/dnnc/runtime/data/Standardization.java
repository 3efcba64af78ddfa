package org.dnnc.runtime.data;

import java.util.Arrays;

/**
 * Shifts and scales features to mean 0 and standard deviation 1, with statistics fitted on the
 * training set and then applied unchanged to the validation and test sets (fitting on those would
 * leak their statistics into training). Either one mean and deviation per feature position, or a
 * single pair for all features (usual for images, where rarely lit border pixels would otherwise
 * be blown up by tiny deviations).
 *
 * @param mean one value per feature, or a single value for all
 * @param std standard deviations, as many as {@code mean}, all positive
 */
public record Standardization(float[] mean, float[] std) {

    public Standardization {
        mean = mean.clone();
        std = std.clone();
        if (mean.length == 0 || mean.length != std.length) {
            throw new IllegalArgumentException(mean.length + " means and " + std.length + " deviations");
        }
        for (int j = 0; j < mean.length; j++) {
            if (!Float.isFinite(mean[j]) || !(std[j] > 0) || !Float.isFinite(std[j])) {
                throw new IllegalArgumentException("mean " + mean[j] + " and deviation " + std[j]
                        + " are not a finite mean and a positive finite deviation");
            }
        }
    }

    /**
     * Fits one mean and (population) standard deviation per feature position. A feature that is
     * constant in {@code train} gets deviation 1, so that it becomes 0 rather than NaN.
     */
    public static Standardization perFeature(Dataset train) {
        requireExamples(train);
        int width = train.exampleSize;
        double[] sum = new double[width];
        for (int i = 0; i < train.features.length; i++) {
            sum[i % width] += train.features[i];
        }
        float[] mean = new float[width];
        for (int j = 0; j < width; j++) {
            mean[j] = (float) (sum[j] / train.size());
        }
        // A second pass over the centred values is exact where sum-of-squares would cancel.
        double[] squares = new double[width];
        for (int i = 0; i < train.features.length; i++) {
            double d = train.features[i] - mean[i % width];
            squares[i % width] += d * d;
        }
        float[] std = new float[width];
        for (int j = 0; j < width; j++) {
            std[j] = deviation(squares[j], train.size());
        }
        return new Standardization(mean, std);
    }

    /** Fits a single mean and (population) standard deviation over all features of {@code train}. */
    public static Standardization global(Dataset train) {
        requireExamples(train);
        double sum = 0;
        for (float v : train.features) {
            sum += v;
        }
        float mean = (float) (sum / train.features.length);
        double squares = 0;
        for (float v : train.features) {
            squares += (v - mean) * (double) (v - mean);
        }
        return new Standardization(new float[] {mean}, new float[] {deviation(squares, train.features.length)});
    }

    /**
     * {@code data} with every feature replaced by {@code (x - mean) / std}; labels and targets
     * are kept.
     *
     * @throws IllegalArgumentException if these are per-feature statistics for another example size
     */
    public Dataset apply(Dataset data) {
        int width = mean.length;
        if (width != 1 && width != data.exampleSize) {
            throw new IllegalArgumentException("statistics for " + width + " features cannot standardize examples of "
                    + data.exampleSize + " features");
        }
        float[] out = new float[data.features.length];
        for (int i = 0; i < out.length; i++) {
            int j = i % width;
            out[i] = (data.features[i] - mean[j]) / std[j];
        }
        return data.withFeatures(out);
    }

    @Override
    public float[] mean() {
        return mean.clone();
    }

    @Override
    public float[] std() {
        return std.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Standardization s && Arrays.equals(mean, s.mean) && Arrays.equals(std, s.std);
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(mean) + Arrays.hashCode(std);
    }

    @Override
    public String toString() {
        return mean.length == 1 ? "Standardization[mean " + mean[0] + ", std " + std[0] + "]"
                : "Standardization[" + mean.length + " features]";
    }

    private static void requireExamples(Dataset train) {
        if (train.size() == 0 || train.exampleSize == 0) {
            throw new IllegalArgumentException("cannot fit a standardization to " + train + ": it has no values");
        }
    }

    private static float deviation(double sumOfSquares, long count) {
        float std = (float) Math.sqrt(sumOfSquares / count);
        return std > 0 ? std : 1f;
    }
}
