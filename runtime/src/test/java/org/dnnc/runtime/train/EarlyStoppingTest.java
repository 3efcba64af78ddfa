package org.dnnc.runtime.train;

import static com.google.common.truth.Truth.assertThat;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.dnnc.runtime.data.Dataset;
import org.junit.jupiter.api.Test;

class EarlyStoppingTest {
    /** Four examples in one batch of four: one step per epoch, so the step count is the epoch. */
    private static final Dataset TRAIN = ScriptedNetwork.data(1, 2, 3, 4);
    private static final Dataset VALIDATION = ScriptedNetwork.data(0, 0);

    /** Validation losses after epochs 1, 2, 3, ...; the last repeats. */
    private static ScriptedNetwork scripted(double... validationLosses) {
        return new ScriptedNetwork(4, steps -> validationLosses[(int) Math.min(steps, validationLosses.length) - 1]);
    }

    private static History fit(ScriptedNetwork net, int epochs, EarlyStopping early) {
        return Trainer.builder().epochs(epochs).batch(4).learningRate(0.1).validation(VALIDATION).earlyStopping(early)
                .build().fit(net, TRAIN);
    }

    @Test
    void stopsAfterPatienceEpochsWithoutImprovementAndRestoresTheBest() {
        ScriptedNetwork net = scripted(1.0, 0.5, 0.6, 0.7, 0.1);
        History history = fit(net, 10, new EarlyStopping(Metric.VAL_LOSS, 2, 0, true));

        // Best at epoch 2; epochs 3 and 4 do not improve, so training stops before epoch 5's 0.1.
        assertThat(history.epochs()).hasSize(4);
        assertThat(history.stopReason()).isEqualTo(StopReason.EARLY_STOPPING);
        assertThat(history.stoppedEarly()).isTrue();
        assertThat(history.stopMessage()).isEqualTo("val_loss did not improve for 2 epochs; the best was 0.5 at epoch 2;"
                + " restored the parameters of epoch 2 (val_loss 0.5)");
        assertThat(net.parameterStep()).isEqualTo(2);
        assertThat(net.log).contains("restore 2");
        assertThat(history.best(Metric.VAL_LOSS).epoch()).isEqualTo(2);
    }

    @Test
    void withoutRestoreBestTheLastParametersStay() {
        ScriptedNetwork net = scripted(1.0, 0.5, 0.6, 0.7);
        History history = fit(net, 10, new EarlyStopping(Metric.VAL_LOSS, 2, 0, false));
        assertThat(history.epochs()).hasSize(4);
        assertThat(net.parameterStep()).isEqualTo(4);
        assertThat(net.log.stream().noneMatch(s -> s.startsWith("restore"))).isTrue();
    }

    @Test
    void changesSmallerThanMinDeltaAreNoImprovement() {
        ScriptedNetwork net = scripted(1.0, 0.95, 0.92, 0.5);
        History history = fit(net, 10, new EarlyStopping(Metric.VAL_LOSS, 2, 0.1, true));
        assertThat(history.epochs()).hasSize(3);
        assertThat(history.stopMessage()).isEqualTo("val_loss did not improve by more than 0.1 for 2 epochs; the best "
                + "was 1 at epoch 1; restored the parameters of epoch 1 (val_loss 1)");
        assertThat(net.parameterStep()).isEqualTo(1);
    }

    @Test
    void runningOutOfEpochsIsNoEarlyStopButStillRestoresTheBest() {
        ScriptedNetwork net = scripted(1.0, 0.5, 0.6, 0.7);
        History history = fit(net, 4, new EarlyStopping(Metric.VAL_LOSS, 2, 0, true));
        assertThat(history.stopReason()).isEqualTo(StopReason.COMPLETED);
        assertThat(history.stopMessage()).isEqualTo("completed 4 epochs; restored the parameters of epoch 2 (val_loss 0.5)");
        assertThat(net.parameterStep()).isEqualTo(2);
    }

    @Test
    void theTrainingLossCanBeMonitoredWithoutValidationData() {
        // The scripted training loss is the same every epoch: only the first counts as an improvement.
        ScriptedNetwork net = scripted(0);
        History history = Trainer.builder().epochs(10).batch(4).learningRate(0.1)
                .earlyStopping(new EarlyStopping(Metric.LOSS, 3, 0, true)).build().fit(net, TRAIN);
        assertThat(history.epochs()).hasSize(4);
        assertThat(net.parameterStep()).isEqualTo(1);
    }

    @Test
    void metricsKnowTheirDirection() {
        assertThat(Metric.VAL_LOSS.improves(0.4, 0.5, 0)).isTrue();
        assertThat(Metric.VAL_LOSS.improves(0.5, 0.5, 0)).isFalse();
        assertThat(Metric.VAL_ACCURACY.improves(0.9, 0.8, 0.05)).isTrue();
        assertThat(Metric.VAL_ACCURACY.improves(0.84, 0.8, 0.05)).isFalse();
        assertThat(Metric.ACCURACY.improves(Double.NaN, 0.8, 0)).isFalse();
        assertThat(Metric.LOSS.improves(3.0, Double.NaN, 0)).isTrue();
        assertThat(Metric.parse("val_accuracy")).isEqualTo(Metric.VAL_ACCURACY);
        assertThat(assertThrows(IllegalArgumentException.class, () -> Metric.parse("val_acc")))
                .hasMessageThat().isEqualTo("unknown metric `val_acc`: expected one of loss, accuracy, val_loss, val_accuracy");
    }

    @Test
    void settingsAreChecked() {
        assertThat(assertThrows(IllegalArgumentException.class, () -> new EarlyStopping(Metric.LOSS, 0, 0, true)))
                .hasMessageThat().isEqualTo("early stopping patience must be at least 1 epoch, got 0");
        assertThat(assertThrows(IllegalArgumentException.class, () -> new EarlyStopping(Metric.LOSS, 1, -0.1, true)))
                .hasMessageThat().isEqualTo("early stopping min_delta must be a number >= 0, got -0.1");
        assertThat(EarlyStopping.on(Metric.VAL_ACCURACY)).isEqualTo(new EarlyStopping(Metric.VAL_ACCURACY, 5, 0, true));
    }
}
