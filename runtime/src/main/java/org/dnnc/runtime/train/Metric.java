package org.dnnc.runtime.train;

import java.util.Arrays;
import java.util.stream.Collectors;

/** A quantity measured once per epoch, which {@link EarlyStopping} can watch and {@link History#best} rank by. */
public enum Metric {
    /** Mean loss over the epoch's training examples. */
    LOSS("loss", false),
    /** Fraction of the epoch's training examples classified correctly. */
    ACCURACY("accuracy", true),
    /** Mean loss over the validation data after the epoch. */
    VAL_LOSS("val_loss", false),
    /** Fraction of the validation data classified correctly after the epoch. */
    VAL_ACCURACY("val_accuracy", true);

    private final String key;
    private final boolean higherIsBetter;

    Metric(String key, boolean higherIsBetter) {
        this.key = key;
        this.higherIsBetter = higherIsBetter;
    }

    /**
     * The metric the language calls {@code key} ({@code val_loss}, ...).
     *
     * @throws IllegalArgumentException naming the metrics there are
     */
    public static Metric parse(String key) {
        for (Metric m : values()) {
            if (m.key.equals(key)) {
                return m;
            }
        }
        throw new IllegalArgumentException("unknown metric `" + key + "`: expected one of "
                + Arrays.stream(values()).map(Metric::key).collect(Collectors.joining(", ")));
    }

    /** The name in the language, in {@link History#toJsonLines()} and in progress output. */
    public String key() {
        return key;
    }

    /** Whether larger values are better (accuracies) rather than smaller (losses). */
    public boolean higherIsBetter() {
        return higherIsBetter;
    }

    /** Whether it is measured on validation data. */
    public boolean needsValidation() {
        return this == VAL_LOSS || this == VAL_ACCURACY;
    }

    /** Whether it is an accuracy, which only classifiers measure. */
    public boolean isAccuracy() {
        return this == ACCURACY || this == VAL_ACCURACY;
    }

    /** This metric's value in {@code epoch}; NaN if the epoch did not measure it. */
    public double of(EpochRecord epoch) {
        return switch (this) {
            case LOSS -> epoch.loss();
            case ACCURACY -> epoch.accuracy();
            case VAL_LOSS -> epoch.valLoss();
            case VAL_ACCURACY -> epoch.valAccuracy();
        };
    }

    /**
     * Whether {@code candidate} beats {@code reference} by more than {@code minDelta} in this
     * metric's direction. NaN never improves, and anything that is not NaN improves on NaN.
     */
    public boolean improves(double candidate, double reference, double minDelta) {
        if (Double.isNaN(candidate)) {
            return false;
        }
        if (Double.isNaN(reference)) {
            return true;
        }
        return higherIsBetter ? candidate > reference + minDelta : candidate < reference - minDelta;
    }

    /** The {@link #key()}, as the language writes it. */
    @Override
    public String toString() {
        return key;
    }
}
