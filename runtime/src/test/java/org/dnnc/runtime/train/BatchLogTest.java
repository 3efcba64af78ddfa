package org.dnnc.runtime.train;

import static com.google.common.truth.Truth.assertThat;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A {@link BatchLog} passed to {@code fit} records every step, and what it writes parses back to
 * the same steps. The scripted network's batch loss is the sum of its inputs, so each step's loss
 * is known: batches (0, 1), (2, 3), (4, 5) in order have mean losses 0.5, 2.5 and 4.5.
 */
class BatchLogTest {
    private static final double[] BATCH_LOSS = {0.5, 2.5, 4.5};

    @Test
    void everyStepIsRecordedAndWrittenAsCsvAndJson(@TempDir Path dir) throws Exception {
        BatchLog log = new BatchLog();
        Trainer.builder().epochs(2).batch(2).learningRate(0.1).shuffle(false)
                .schedule(new LearningRate.LinearDecay(Span.steps(10), 0)).listener(log).build()
                .fit(new ScriptedNetwork(2, steps -> 0), ScriptedNetwork.data(0, 1, 2, 3, 4, 5));
        assertThat(log.steps()).hasSize(6);
        assertThat(log.learningRates()[3]).isWithin(1e-12).of(0.1 * (1 - 3 / 10.0));

        Path csv = dir.resolve("batches.csv");
        Path json = dir.resolve("batches.json");
        log.writeCsv(csv);
        log.writeJson(json);

        List<String> lines = Files.readAllLines(csv);
        List<String> header = List.of(lines.get(0).split(","));
        assertThat(header).containsExactly("epoch", "batch", "step", "examples", "loss", "learning_rate", "epoch_loss",
                "epoch_accuracy").inOrder();
        assertThat(lines).hasSize(7);
        JsonArray steps = JsonParser.parseString(Files.readString(json)).getAsJsonArray();
        assertThat(steps.size()).isEqualTo(6);
        for (int i = 0; i < 6; i++) {
            String[] row = lines.get(i + 1).split(",", -1);
            JsonObject step = steps.get(i).getAsJsonObject();
            assertThat(Integer.parseInt(row[header.indexOf("epoch")])).isEqualTo(i / 3 + 1);
            assertThat(step.get("epoch").getAsInt()).isEqualTo(i / 3 + 1);
            assertThat(Integer.parseInt(row[header.indexOf("batch")])).isEqualTo(i % 3 + 1);
            assertThat(step.get("step").getAsLong()).isEqualTo(i + 1);
            assertThat(Double.parseDouble(row[header.indexOf("loss")])).isEqualTo(BATCH_LOSS[i % 3]);
            assertThat(step.get("loss").getAsDouble()).isEqualTo(BATCH_LOSS[i % 3]);
            assertThat(step.get("learning_rate").getAsDouble()).isEqualTo(log.learningRates()[i]);
            // Each epoch's first batch holds one label-1 example of two.
            if (i % 3 == 0) {
                assertThat(step.get("epoch_accuracy").getAsDouble()).isEqualTo(0.5);
            }
        }
    }
}
