package org.dnnc.runtime.train;

import static com.google.common.truth.Truth.assertThat;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import org.junit.jupiter.api.Test;

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
}
