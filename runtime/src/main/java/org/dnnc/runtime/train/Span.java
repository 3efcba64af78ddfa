package org.dnnc.runtime.train;

import java.util.Locale;

/**
 * A length of training, as the language writes it: {@code 5 epochs} or {@code 1000 steps} (a step
 * is one batch, one optimizer update). Schedules convert it to steps once the number of batches
 * per epoch is known.
 *
 * @param amount a positive count
 * @param unit what is counted
 */
public record Span(long amount, Unit unit) {

    /** What a {@link Span} counts. */
    public enum Unit {
        /** Passes over the training data. */
        EPOCHS,
        /** Optimizer steps, one per batch. */
        STEPS
    }

    public Span {
        if (unit == null) {
            throw new IllegalArgumentException("a span needs a unit (epochs or steps)");
        }
        if (amount <= 0) {
            throw new IllegalArgumentException("a span must be a positive count of " + unit.name().toLowerCase(Locale.ROOT)
                    + ", got " + amount);
        }
    }

    /** {@code amount} epochs. */
    public static Span epochs(long amount) {
        return new Span(amount, Unit.EPOCHS);
    }

    /** {@code amount} steps. */
    public static Span steps(long amount) {
        return new Span(amount, Unit.STEPS);
    }

    /**
     * The length in steps, at {@code stepsPerEpoch} batches per epoch.
     *
     * @throws ArithmeticException if it does not fit in a {@code long}
     */
    public long toSteps(int stepsPerEpoch) {
        if (stepsPerEpoch <= 0) {
            throw new IllegalArgumentException("steps per epoch must be positive, got " + stepsPerEpoch);
        }
        return unit == Unit.EPOCHS ? Math.multiplyExact(amount, stepsPerEpoch) : amount;
    }

    /** As the language writes it: {@code 5 epochs}, {@code 1 step}. */
    @Override
    public String toString() {
        String name = unit == Unit.EPOCHS ? "epoch" : "step";
        return amount + " " + name + (amount == 1 ? "" : "s");
    }
}
