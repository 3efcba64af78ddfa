package org.dnnc.runtime.train;

import static com.google.common.truth.Truth.assertThat;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HistoryTest {
    private static final double NAN = Double.NaN;
    private static final EpochRecord FIRST = new EpochRecord(1, 10, 320, 0.9, 0.6, 0.8, 0.7, 0.1, 1.5, 250.0);
    private static final EpochRecord SECOND = new EpochRecord(2, 20, 320, 0.5, 0.8, 0.6, 0.75, 0.05, 1.25, 256.0);
    private static final EpochRecord THIRD = new EpochRecord(3, 30, 320, 0.4, 0.85, 0.7, 0.75, 0.025, 1.0, 320.0);
    private static final History HISTORY = new History(List.of(FIRST, SECOND, THIRD), StopReason.COMPLETED,
            "completed 3 epochs");

    @Test
    void bestPicksTheBestValueInTheMetricsDirectionAndTheEarliestOfEquals() {
        assertThat(HISTORY.best(Metric.LOSS)).isEqualTo(THIRD);
        assertThat(HISTORY.best(Metric.ACCURACY)).isEqualTo(THIRD);
        assertThat(HISTORY.best(Metric.VAL_LOSS)).isEqualTo(SECOND);
        assertThat(HISTORY.best(Metric.VAL_ACCURACY)).isEqualTo(SECOND);
        assertThat(HISTORY.last()).isEqualTo(THIRD);
        assertThat(HISTORY.stoppedEarly()).isFalse();
    }

    @Test
    void aMetricNoEpochMeasuredHasNoBest() {
        History regression = new History(List.of(new EpochRecord(1, 1, 8, 0.5, NAN, NAN, NAN, 0.1, 1, 8)),
                StopReason.EARLY_STOPPING, "stopped");
        assertThat(regression.stoppedEarly()).isTrue();
        assertThat(assertThrows(IllegalArgumentException.class, () -> regression.best(Metric.VAL_LOSS)))
                .hasMessageThat().isEqualTo("no epoch measured val_loss (train with validation data to measure it)");
        assertThat(assertThrows(IllegalArgumentException.class, () -> regression.best(Metric.ACCURACY)))
                .hasMessageThat().isEqualTo("no epoch measured accuracy");
        History none = new History(List.of(), StopReason.RANGE_TEST_FINISHED, "the test had finished");
        assertThat(assertThrows(IllegalStateException.class, none::last))
                .hasMessageThat().isEqualTo("no epoch ran: the test had finished");
    }

    @Test
    void jsonLinesHaveOneObjectPerEpochAndNullForWhatWasNotMeasured() {
        History history = new History(List.of(FIRST, new EpochRecord(2, 20, 100, 0.5, NAN, NAN, NAN, 1e-4, 2, 50)),
                StopReason.COMPLETED, "completed 2 epochs");
        assertThat(history.toJsonLines()).isEqualTo(
                "{\"epoch\":1,\"steps\":10,\"examples\":320,\"loss\":0.9,\"accuracy\":0.6,\"val_loss\":0.8,"
                        + "\"val_accuracy\":0.7,\"learning_rate\":0.1,\"seconds\":1.5,\"examples_per_second\":250.0}\n"
                        + "{\"epoch\":2,\"steps\":20,\"examples\":100,\"loss\":0.5,\"accuracy\":null,\"val_loss\":null,"
                        + "\"val_accuracy\":null,\"learning_rate\":1.0E-4,\"seconds\":2.0,\"examples_per_second\":50.0}\n");
    }

    @Test
    void csvAndJsonFilesHoldEveryEpochAndLeaveWhatWasNotMeasuredEmpty(@TempDir Path dir) throws Exception {
        History history = new History(List.of(FIRST, new EpochRecord(2, 20, 100, 0.5, NAN, NAN, NAN, 1e-4, 2, 50)),
                StopReason.EARLY_STOPPING, "val_loss stopped improving: \"quoted\"\tand tabbed");
        Path csv = dir.resolve("history.csv");
        Path json = dir.resolve("history.json");
        history.writeCsv(csv);
        history.writeJson(json);

        List<String> lines = Files.readAllLines(csv);
        assertThat(lines).hasSize(3);
        List<String> header = List.of(lines.get(0).split(","));
        assertThat(header).containsExactly("epoch", "steps", "examples", "loss", "accuracy", "val_loss", "val_accuracy",
                "learning_rate", "seconds", "examples_per_second").inOrder();
        String[] first = lines.get(1).split(",", -1);
        assertThat(Integer.parseInt(first[header.indexOf("epoch")])).isEqualTo(1);
        assertThat(Double.parseDouble(first[header.indexOf("val_accuracy")])).isEqualTo(FIRST.valAccuracy());
        String[] second = lines.get(2).split(",", -1);
        assertThat(second).hasLength(header.size());
        assertThat(Long.parseLong(second[header.indexOf("steps")])).isEqualTo(20);
        assertThat(Double.parseDouble(second[header.indexOf("learning_rate")])).isEqualTo(1e-4);
        assertThat(second[header.indexOf("accuracy")]).isEmpty();
        assertThat(second[header.indexOf("val_loss")]).isEmpty();

        JsonObject root = JsonParser.parseString(Files.readString(json)).getAsJsonObject();
        assertThat(root.get("stop_reason").getAsString()).isEqualTo("early_stopping");
        assertThat(root.get("stop_message").getAsString()).isEqualTo(history.stopMessage());
        JsonArray epochs = root.getAsJsonArray("epochs");
        assertThat(epochs.size()).isEqualTo(2);
        assertThat(epochs.get(0).getAsJsonObject().get("loss").getAsDouble()).isEqualTo(FIRST.loss());
        assertThat(epochs.get(0).getAsJsonObject().get("examples_per_second").getAsDouble()).isEqualTo(250.0);
        assertThat(epochs.get(1).getAsJsonObject().get("epoch").getAsInt()).isEqualTo(2);
        assertThat(epochs.get(1).getAsJsonObject().get("accuracy").isJsonNull()).isTrue();
    }
}
