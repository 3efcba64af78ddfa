package org.dnnc.runtime.train;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A {@link TrainingListener} that records every optimizer step, for a log finer than {@link
 * History}'s epochs: pass it to {@code fit} (or {@link Trainer.Builder#listener}) and write it
 * afterwards.
 *
 * <pre>{@code
 * BatchLog batches = new BatchLog();
 * History history = net.fit(train, validation, batches);
 * history.writeCsv(Path.of("epochs.csv"));
 * batches.writeCsv(Path.of("batches.csv"));
 * }</pre>
 *
 * <p>Runs of several {@code fit} calls are appended. Not thread-safe: read it after training, or
 * from the training thread.
 */
public final class BatchLog implements TrainingListener {
    /** The columns of {@link #toCsv()} and the keys of {@link #toJson()}, in order. */
    private static final List<String> COLUMNS = List.of("epoch", "batch", "step", "examples", "loss",
            "learning_rate", "epoch_loss", "epoch_accuracy");

    private final List<Step> steps = new ArrayList<>();

    /**
     * One optimizer step.
     *
     * @param epoch the epoch, from 1
     * @param batch the batch within the epoch, from 1
     * @param step the network's step count after it (counting earlier runs)
     * @param examples examples in the batch
     * @param loss mean loss over the batch, measured before the update
     * @param learningRate the step's learning rate
     * @param epochLoss mean loss over the epoch so far
     * @param epochAccuracy fraction of the epoch's labels so far predicted correctly; NaN without accuracy
     */
    public record Step(int epoch, int batch, long step, int examples, double loss, double learningRate,
            double epochLoss, double epochAccuracy) {}

    /** A log with no steps yet. */
    public BatchLog() {}

    @Override
    public void onBatchEnd(BatchProgress p) {
        steps.add(new Step(p.epoch(), p.batch(), p.step(), p.batchExamples(), p.batchLoss(), p.learningRate(),
                p.epochLoss(), p.epochAccuracy()));
    }

    /** The steps recorded, in order. */
    public List<Step> steps() {
        return List.copyOf(steps);
    }

    /** Each step's learning rate, in order: the x axis of a learning-rate range test. */
    public double[] learningRates() {
        return steps.stream().mapToDouble(Step::learningRate).toArray();
    }

    /** Each step's mean batch loss, in order. */
    public double[] losses() {
        return steps.stream().mapToDouble(Step::loss).toArray();
    }

    /**
     * A header line and one line per step, comma-separated: {@code epoch, batch, step, examples,
     * loss, learning_rate, epoch_loss, epoch_accuracy}; a quantity not measured is an empty field.
     */
    public String toCsv() {
        StringBuilder out = new StringBuilder(String.join(",", COLUMNS)).append('\n');
        for (Step s : steps) {
            out.append(LogText.csvLine(counts(s), measured(s)));
        }
        return out.toString();
    }

    /** A JSON array of one object per step, with the keys of {@link #toCsv()}; a quantity not measured is {@code null}. */
    public String toJson() {
        StringBuilder out = new StringBuilder("[");
        for (int i = 0; i < steps.size(); i++) {
            Step s = steps.get(i);
            out.append(i == 0 ? "\n" : ",\n").append(LogText.jsonObject(COLUMNS, counts(s), measured(s)));
        }
        return out.append("\n]\n").toString();
    }

    /** Writes {@link #toCsv()} to {@code file}, replacing it atomically. */
    public void writeCsv(Path file) throws IOException {
        LogText.write(file, toCsv());
    }

    /** Writes {@link #toJson()} to {@code file}, replacing it atomically. */
    public void writeJson(Path file) throws IOException {
        LogText.write(file, toJson());
    }

    private static long[] counts(Step s) {
        return new long[] {s.epoch(), s.batch(), s.step(), s.examples()};
    }

    private static double[] measured(Step s) {
        return new double[] {s.loss(), s.learningRate(), s.epochLoss(), s.epochAccuracy()};
    }
}
