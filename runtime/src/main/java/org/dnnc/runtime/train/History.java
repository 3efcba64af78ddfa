package org.dnnc.runtime.train;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * The result of {@link Trainer#fit}: one record per epoch that ran, and why training ended.
 *
 * @param epochs the epochs in order
 * @param stopReason why training ended
 * @param stopMessage the same in words, with the details (which metric, which step, which epoch's
 *     parameters were restored)
 */
public record History(List<EpochRecord> epochs, StopReason stopReason, String stopMessage) {
    /** The columns of the logs: three counts, then the quantities of {@link #measured}. */
    private static final List<String> COLUMNS = List.of("epoch", "steps", "examples", Metric.LOSS.key(),
            Metric.ACCURACY.key(), Metric.VAL_LOSS.key(), Metric.VAL_ACCURACY.key(), "learning_rate", "seconds",
            "examples_per_second");

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
            out.append(epochJson(e)).append('\n');
        }
        return out.toString();
    }

    /**
     * The whole history as one JSON object: {@code stop_reason} (the {@link StopReason} in lower
     * case), {@code stop_message}, and {@code epochs}, an array of the objects of {@link #toJsonLines()}.
     */
    public String toJson() {
        StringBuilder out = new StringBuilder("{\"stop_reason\":")
                .append(LogText.jsonString(stopReason.name().toLowerCase(Locale.ROOT)))
                .append(",\"stop_message\":").append(LogText.jsonString(stopMessage))
                .append(",\"epochs\":[");
        for (int i = 0; i < epochs.size(); i++) {
            out.append(i == 0 ? "\n" : ",\n").append(epochJson(epochs.get(i)));
        }
        return out.append("\n]}\n").toString();
    }

    /**
     * A header line and one line per epoch, comma-separated, in the columns of {@link
     * #toJsonLines()}; a quantity not measured is an empty field.
     */
    public String toCsv() {
        StringBuilder out = new StringBuilder(String.join(",", COLUMNS)).append('\n');
        for (EpochRecord e : epochs) {
            out.append(LogText.csvLine(counts(e), measured(e)));
        }
        return out.toString();
    }

    /** Writes {@link #toCsv()} to {@code file}, replacing it atomically. */
    public void writeCsv(Path file) throws IOException {
        LogText.write(file, toCsv());
    }

    /** Writes {@link #toJson()} to {@code file}, replacing it atomically. */
    public void writeJson(Path file) throws IOException {
        LogText.write(file, toJson());
    }

    private static double[] measured(EpochRecord e) {
        return new double[] {e.loss(), e.accuracy(), e.valLoss(), e.valAccuracy(), e.learningRate(), e.seconds(),
                e.examplesPerSecond()};
    }

    private static long[] counts(EpochRecord e) {
        return new long[] {e.epoch(), e.steps(), e.examples()};
    }

    private static String epochJson(EpochRecord e) {
        return LogText.jsonObject(COLUMNS, counts(e), measured(e));
    }
}
