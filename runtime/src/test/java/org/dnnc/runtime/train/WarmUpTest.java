package org.dnnc.runtime.train;

import static com.google.common.truth.Truth.assertThat;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.List;
import org.dnnc.runtime.data.Dataset;
import org.junit.jupiter.api.Test;

/**
 * {@link Trainer#warmUp}: it steps the scratch network only, at most two epochs' batches, calls no
 * listener, and a run after it trains as one without it.
 */
class WarmUpTest {

    @Test
    void theWarmUpStepsOnlyTheScratchNetworkAndCallsNoListener() {
        Dataset data = TrainerTest.separable(3);
        List<String> calls = new ArrayList<>();
        TrainingListener recorder = new TrainingListener() {
            @Override
            public void onTrainBegin(TrainingPlan plan) {
                calls.add("begin");
            }

            @Override
            public void onBatchEnd(BatchProgress progress) {
                calls.add("batch");
            }
        };
        Trainer trainer = Trainer.builder().epochs(2).batch(32).learningRate(0.5).listener(recorder)
                .nanoTime(new FakeClock(1_000_000)).build();
        LogisticRegression scratch = new LogisticRegression(2, 2, 32);
        WarmUp warmUp = trainer.warmUp(scratch, data);

        // 400 examples in batches of 32: 13 batches per epoch, the last of 16.
        assertThat(warmUp.steps()).isIn(com.google.common.collect.Range.closed(1, 2 * 13));
        assertThat(scratch.trainCounts).hasSize(warmUp.steps());
        assertThat(scratch.steps()).isEqualTo(warmUp.steps());
        assertThat(calls).isEmpty();

        LogisticRegression warmed = new LogisticRegression(2, 2, 32);
        LogisticRegression cold = new LogisticRegression(2, 2, 32);
        History afterWarmUp = trainer.fit(warmed, data);
        History without = trainer.fit(cold, data);
        assertThat(parameters(warmed)).isEqualTo(parameters(cold));
        assertThat(afterWarmUp.last().loss()).isEqualTo(without.last().loss());
        assertThat(warmed.rates).isEqualTo(cold.rates);
    }

    @Test
    void aBatchLargerThanTheScratchNetworkTakesIsRefused() {
        Trainer trainer = Trainer.builder().batch(64).learningRate(0.5).build();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> trainer.warmUp(new LogisticRegression(2, 2, 32), TrainerTest.separable(3)));
        assertThat(e).hasMessageThat().isEqualTo("batch 64 is larger than network LogisticRegression takes: its memory"
                + " is planned for batches of at most 32");
    }

    private static float[] parameters(LogisticRegression net) {
        float[] p = new float[net.parameterCount()];
        net.copyParametersTo(p);
        return p;
    }
}
