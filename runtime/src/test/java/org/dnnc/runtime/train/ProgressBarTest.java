package org.dnnc.runtime.train;

import static com.google.common.truth.Truth.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class ProgressBarTest {
    private static final double NAN = Double.NaN;

    private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    private final PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);
    private final FakeClock clock = new FakeClock(0);

    private String output() {
        return bytes.toString(StandardCharsets.UTF_8).replace(System.lineSeparator(), "\n");
    }

    /** Moves the clock to {@code millis} after the start and reports a batch. */
    private void batch(ProgressBar bar, EpochCounters counters, long atMillis, int count, double lossSum, int correct) {
        clock.advanceMillis(atMillis - clock.getAsLong() / 1_000_000);
        counters.add(new StepResult(lossSum, correct), count, 0.1, counters.step() + 1);
        bar.onBatchEnd(counters);
    }

    @Test
    void onATerminalOneLineIsRedrawnAtMostTenTimesASecond() {
        ProgressBar bar = new ProgressBar(out, true, clock);
        TrainingPlan plan = new TrainingPlan("FashionMlp", List.of(1, 28, 28), true, 2, 64, 4, 250, 50);
        EpochCounters counters = new EpochCounters(2, 4, true, 1);
        bar.onTrainBegin(plan);
        bar.onEpochBegin(1);
        counters.startEpoch(1);
        batch(bar, counters, 20, 64, 32.0, 40); // first batch: drawn; 64 / 0.02 s = 3,200 img/s
        batch(bar, counters, 60, 64, 25.6, 48); // 40 ms after the last drawing: skipped
        batch(bar, counters, 250, 64, 19.2, 56); // drawn: 192 / 0.25 s = 768 img/s, loss 76.8 / 192 = 0.4
        batch(bar, counters, 320, 58, 11.6, 50); // the last batch is always drawn: 250 / 0.32 s = 781 img/s
        bar.onEpochEnd(new EpochRecord(1, 4, 250, 0.3536, 0.776, 0.4123, 0.8, 0.1, 4.2, 1250));
        bar.onTrainEnd(new History(List.of(), StopReason.COMPLETED, "completed 2 epochs"));

        assertThat(output()).isEqualTo(
                "FashionMlp: 250 training examples, 50 validation, 4 batches of 64 per epoch, 2 epochs\n"
                + "\repoch 1/2 [==>       ] 1/4  3,200 img/s  loss 0.5000  acc 0.625  ETA 0:00"
                // the shorter throughput leaves two characters to blank out
                + "\repoch 1/2 [=======>  ] 3/4  768 img/s  loss 0.4000  acc 0.750  ETA 0:00  "
                + "\repoch 1/2 [==========] 4/4  781 img/s  loss 0.3536  acc 0.776  ETA 0:00"
                + "\repoch 1/2 [==========] 4/4  4.2s  1,250 img/s  loss 0.3536  acc 0.776  val_loss 0.4123  val_acc 0.800\n"
                + "completed 2 epochs\n");
    }

    @Test
    void elsewhereItWritesALinePerEpochAndEveryTenSeconds() {
        ProgressBar bar = new ProgressBar(out, false, clock);
        TrainingPlan plan = new TrainingPlan("Tabular", List.of(3), false, 1, 100, 5, 500, 0);
        EpochCounters counters = new EpochCounters(1, 5, false, 1);
        bar.onTrainBegin(plan);
        bar.onEpochBegin(1);
        counters.startEpoch(1);
        batch(bar, counters, 4_000, 100, 50, 0);
        batch(bar, counters, 12_000, 100, 30, 0); // 200 / 12 s = 17 ex/s; ETA 12 s / 2 * 3 = 0:18
        batch(bar, counters, 15_000, 100, 20, 0); // only 3 s after the last line
        batch(bar, counters, 24_000, 100, 20, 0); // 400 / 24 s = 17 ex/s; ETA 24 s / 4 * 1 = 0:06
        batch(bar, counters, 60_000, 100, 5, 0); // the epoch line follows
        bar.onEpochEnd(new EpochRecord(1, 5, 500, 0.25, NAN, NAN, NAN, 0.1, 65.0, 7.7));
        bar.onTrainEnd(new History(List.of(), StopReason.EARLY_STOPPING, "loss did not improve for 2 epochs"));

        assertThat(output()).isEqualTo(
                "Tabular: 500 training examples, 5 batches of 100 per epoch, 1 epoch\n"
                + "epoch 1/1  2/5  17 ex/s  loss 0.4000  ETA 0:18\n"
                + "epoch 1/1  4/5  17 ex/s  loss 0.3000  ETA 0:06\n"
                + "epoch 1/1  5/5  1:05  8 ex/s  loss 0.2500\n"
                + "loss did not improve for 2 epochs\n");
    }

    @Test
    void barsAndClocks() {
        assertThat(ProgressBar.bar(0, 938)).isEqualTo("[>         ]");
        assertThat(ProgressBar.bar(412, 938)).isEqualTo("[====>     ]");
        assertThat(ProgressBar.bar(938, 938)).isEqualTo("[==========]");
        assertThat(ProgressBar.clock(12)).isEqualTo("0:12");
        assertThat(ProgressBar.clock(75.4)).isEqualTo("1:15");
        assertThat(ProgressBar.clock(3725)).isEqualTo("1:02:05");
    }
}
