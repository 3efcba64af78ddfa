package org.dnnc.runtime.train;

import java.util.List;

/**
 * The result of {@link Trainer#fit}: one record per epoch that ran, and why training ended.
 *
 * @param epochs the epochs in order
 * @param stopReason why training ended
 * @param stopMessage the same in words, with the details (which metric, which step, which epoch's
 *     parameters were restored)
 */
public record History(List<EpochRecord> epochs, StopReason stopReason, String stopMessage) {

    public History {
        epochs = List.copyOf(epochs);
        if (stopReason == null || stopMessage == null) {
            throw new IllegalArgumentException("a history needs a stop reason and message");
        }
    }

    /** Whether training ended before running every requested epoch. */
    public boolean stoppedEarly() {
        return stopReason != StopReason.COMPLETED;
    }

    /**
     * The last epoch.
     *
     * @throws IllegalStateException if no epoch ran
     */
    public EpochRecord last() {
        if (epochs.isEmpty()) {
            throw new IllegalStateException("no epoch ran: " + stopMessage);
        }
        return epochs.get(epochs.size() - 1);
    }

    /**
     * The epoch with the best value of {@code metric} (lowest loss, highest accuracy); the earliest
     * of equals.
     *
     * @throws IllegalArgumentException if no epoch measured it (accuracy of a regression, or a
     *     validation metric without validation data)
     */
    public EpochRecord best(Metric metric) {
        EpochRecord best = null;
        for (EpochRecord epoch : epochs) {
            if (metric.improves(metric.of(epoch), best == null ? Double.NaN : metric.of(best), 0)) {
                best = epoch;
            }
        }
        if (best == null) {
            throw new IllegalArgumentException("no epoch measured " + metric.key()
                    + (metric.needsValidation() ? " (train with validation data to measure it)" : ""));
        }
        return best;
    }

    /**
     * One JSON object per epoch, each on its own line ending in {@code \n}: {@code epoch}, {@code
     * steps}, {@code examples}, {@code loss}, {@code accuracy}, {@code val_loss}, {@code
     * val_accuracy}, {@code learning_rate}, {@code seconds}, {@code examples_per_second}; quantities
     * not measured are {@code null}.
     */
    public String toJsonLines() {
        StringBuilder out = new StringBuilder();
        for (EpochRecord e : epochs) {
            out.append("{\"epoch\":").append(e.epoch())
                    .append(",\"steps\":").append(e.steps())
                    .append(",\"examples\":").append(e.examples());
            field(out, Metric.LOSS.key(), e.loss());
            field(out, Metric.ACCURACY.key(), e.accuracy());
            field(out, Metric.VAL_LOSS.key(), e.valLoss());
            field(out, Metric.VAL_ACCURACY.key(), e.valAccuracy());
            field(out, "learning_rate", e.learningRate());
            field(out, "seconds", e.seconds());
            field(out, "examples_per_second", e.examplesPerSecond());
            out.append("}\n");
        }
        return out.toString();
    }

    /** JSON has no NaN or infinity; {@code null} says "not measured" (or diverged) to any reader. */
    private static void field(StringBuilder out, String key, double value) {
        out.append(",\"").append(key).append("\":").append(Double.isFinite(value) ? Double.toString(value) : "null");
    }
}
