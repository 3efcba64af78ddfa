package org.dnnc.runtime.train;

import static com.google.common.truth.Truth.assertThat;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.dnnc.runtime.Inputs;
import org.dnnc.runtime.TensorSpec;
import org.dnnc.runtime.data.Dataset;
import org.junit.jupiter.api.Test;

/**
 * The trainer with a network whose steps finish later than they start ({@link
 * TrainableNetwork#startTrainStep}), as on a GPU: what it reports, in which order, must be what
 * it reports for the same network run step by step.
 */
class PendingStepsTrainingTest {

    /**
     * A {@link ScriptedNetwork} whose steps run only when collected: a start copies the batch (the
     * trainer refills its arrays at once) and the step happens in {@code finish}. Any other call while
     * a step is pending, and a second collection of a step, fail. One that runs steps ahead ({@code
     * ahead}) may be asked for its steps while some are pending (the count of the collected ones, as
     * a GPU's host copy is), and under {@link NonFinite#STOP} holds back, as a latched gate does, every
     * step started before a non-finite one was collected.
     */
    private static final class LazyNetwork implements FakeNetwork {
        private final ScriptedNetwork steps;
        private final boolean ahead;
        private NonFinite policy = NonFinite.STOP;
        private boolean latched;
        /** The steps started and not yet collected, oldest first. */
        private final List<Pending> pending = new ArrayList<>();
        final List<String> log = new ArrayList<>();
        private int started;

        LazyNetwork(ScriptedNetwork steps) {
            this(steps, false);
        }

        LazyNetwork(ScriptedNetwork steps, boolean ahead) {
            this.steps = steps;
            this.ahead = ahead;
        }

        private final class Pending implements PendingStep {
            private final int number;
            private final Inputs batch;
            private final int count;
            private final double rate;
            /** Whether a step was in flight when this one started, so that a latched gate holds this one back. */
            private final boolean behind;
            private boolean collected;

            Pending(int number, Inputs batch, int count, double rate, boolean behind) {
                this.number = number;
                this.batch = batch;
                this.count = count;
                this.rate = rate;
                this.behind = behind;
            }

            @Override
            public StepResult finish() {
                if (collected) {
                    throw new AssertionError("step " + number + " collected twice");
                }
                if (pending.get(0) != this) {
                    throw new AssertionError("step " + number + " collected before step " + pending.get(0).number);
                }
                collected = true;
                pending.remove(0);
                log.add("finish " + number);
                if (latched && behind) {
                    return new StepResult(Double.NaN, 0);
                }
                StepResult result = steps.trainStep(batch, count, rate);
                latched = !result.finite() && policy == NonFinite.STOP;
                return result;
            }
        }

        @Override
        public PendingStep startTrainStep(Inputs batch, int count, double learningRate) {
            started++;
            log.add("start " + started);
            Inputs copy = Inputs.of("x", batch.floats("x").clone()).and("label", batch.ints("label").clone());
            Pending p = new Pending(started, copy, count, learningRate, !pending.isEmpty());
            pending.add(p);
            return p;
        }

        private void settled(String call) {
            if (!pending.isEmpty()) {
                throw new AssertionError(call + " while step " + pending.get(0).number + " is pending");
            }
        }

        @Override
        public StepResult trainStep(Inputs batch, int count, double learningRate) {
            return startTrainStep(batch, count, learningRate).finish();
        }

        @Override
        public StepResult evaluateStep(Inputs batch, int count) {
            settled("evaluateStep");
            log.add("evaluate");
            return steps.evaluateStep(batch, count);
        }

        @Override
        public long steps() {
            if (!ahead) {
                settled("steps()");
            }
            return steps.steps();
        }

        @Override
        public int parameterCount() {
            return 1;
        }

        @Override
        public void copyParametersTo(float[] dst) {
            settled("copyParametersTo");
            steps.copyParametersTo(dst);
        }

        @Override
        public void copyParametersFrom(float[] src) {
            settled("copyParametersFrom");
            steps.copyParametersFrom(src);
        }

        @Override
        public void updateOnNonFiniteLoss(boolean update) {
            steps.updateOnNonFiniteLoss(update);
        }

        @Override
        public void onNonFinite(NonFinite policy) {
            this.policy = policy;
            FakeNetwork.super.onNonFinite(policy);
        }

        @Override
        public boolean runsStepsAhead() {
            return ahead;
        }

        @Override
        public String name() {
            return steps.name();
        }

        @Override
        public int maxBatch() {
            return steps.maxBatch();
        }

        @Override
        public List<TensorSpec> inputs() {
            return steps.inputs();
        }

        @Override
        public List<TensorSpec> targets() {
            return steps.targets();
        }

        @Override
        public TargetKind targetKind() {
            return steps.targetKind();
        }

        @Override
        public boolean hasAccuracy() {
            return true;
        }
    }

    private static final Dataset DATA = ScriptedNetwork.data(0, 1, 2, 3, 4, 5, 6, 7, 8, 9);
    private static final Dataset VALIDATION = ScriptedNetwork.data(1, 2, 3);

    /** What a run reports: every batch's loss, accuracy, steps and rate, each epoch's record without its times. */
    private static List<String> reports(TrainableNetwork net, Trainer.Builder builder) {
        List<String> reports = new ArrayList<>();
        builder.listener(new TrainingListener() {
            @Override
            public void onBatchEnd(BatchProgress p) {
                reports.add("batch " + p.batch() + " loss " + p.batchLoss() + " step " + p.step() + " rate "
                        + p.learningRate());
            }

            @Override
            public void onEpochEnd(EpochRecord e) {
                reports.add("epoch " + e.epoch() + " steps " + e.steps() + " examples " + e.examples() + " loss "
                        + e.loss() + " accuracy " + e.accuracy() + " val " + e.valLoss() + " rate " + e.learningRate());
            }

            @Override
            public void onTrainEnd(History h) {
                reports.add("end " + h.stopReason() + ": " + h.stopMessage());
            }
        });
        try {
            builder.build().fit(net, DATA);
        } catch (TrainingDivergedException e) {
            reports.add("diverged: " + e.getMessage());
        }
        return reports;
    }

    private static Trainer.Builder trainer() {
        return Trainer.builder().epochs(3).batch(4).learningRate(0.4).validation(VALIDATION)
                .schedule(new LearningRate.StepDecay(Span.steps(2), 0.5));
    }

    @Test
    void pendingStepsReportWhatStepByStepTrainingReports() {
        ScriptedNetwork direct = new ScriptedNetwork(4, steps -> 1.0 / (steps + 1));
        ScriptedNetwork behind = new ScriptedNetwork(4, steps -> 1.0 / (steps + 1));
        LazyNetwork lazy = new LazyNetwork(behind);
        List<String> expected = reports(direct, trainer());
        assertThat(reports(lazy, trainer())).containsExactlyElementsIn(expected).inOrder();
        assertThat(behind.steps()).isEqualTo(9);
        // Each step collected once, before the next starts, and every pending one before validation.
        List<String> log = new ArrayList<>();
        for (int step = 1; step <= 9; step++) {
            log.add("start " + step);
            log.add("finish " + step);
            if (step % 3 == 0) {
                log.add("evaluate");
            }
        }
        assertThat(lazy.log).containsExactlyElementsIn(log).inOrder();
    }

    @Test
    void stopCollectsTheDivergingStepAndStartsNoOther() {
        ScriptedNetwork direct = new ScriptedNetwork(4, steps -> 0);
        direct.nanAtCalls = Set.of(5);
        ScriptedNetwork behind = new ScriptedNetwork(4, steps -> 0);
        behind.nanAtCalls = Set.of(5);
        LazyNetwork lazy = new LazyNetwork(behind);
        List<String> expected = reports(direct, trainer());
        assertThat(expected.get(expected.size() - 1)).startsWith("diverged: the training loss became NaN at step 5");
        assertThat(reports(lazy, trainer())).containsExactlyElementsIn(expected).inOrder();
        // The epoch still validates, after the diverging step; no step starts after it.
        assertThat(lazy.log.subList(lazy.log.size() - 3, lazy.log.size()))
                .containsExactly("start 5", "finish 5", "evaluate").inOrder();
        assertThat(lazy.pending).isEmpty();
        assertThat(behind.steps()).isEqualTo(4);
        assertThat(behind.parameterStep()).isEqualTo(4);
    }

    @Test
    void skippedStepsAreLeftOutAsStepByStep() {
        ScriptedNetwork direct = new ScriptedNetwork(4, steps -> 0);
        direct.nanAtCalls = Set.of(2, 6);
        ScriptedNetwork behind = new ScriptedNetwork(4, steps -> 0);
        behind.nanAtCalls = Set.of(2, 6);
        List<String> expected = reports(direct, trainer().onNonFinite(NonFinite.SKIP));
        assertThat(expected.get(expected.size() - 1)).contains("left out 2 steps");
        assertThat(reports(new LazyNetwork(behind), trainer().onNonFinite(NonFinite.SKIP)))
                .containsExactlyElementsIn(expected).inOrder();
        assertThat(behind.steps()).isEqualTo(7);
    }

    @Test
    void theRangeTestStopsWithNoStepLeftPending() {
        Trainer.Builder rangeTest = Trainer.builder().epochs(10).batch(4).learningRate(0.1)
                .schedule(new LearningRate.RangeTest(1e-3, 1, Span.steps(5)));
        List<String> expected = reports(new ScriptedNetwork(4, steps -> 0), rangeTest);
        LazyNetwork lazy = new LazyNetwork(new ScriptedNetwork(4, steps -> 0));
        Trainer.Builder again = Trainer.builder().epochs(10).batch(4).learningRate(0.1)
                .schedule(new LearningRate.RangeTest(1e-3, 1, Span.steps(5)));
        assertThat(reports(lazy, again)).containsExactlyElementsIn(expected).inOrder();
        assertThat(lazy.log.get(lazy.log.size() - 1)).isEqualTo("finish 5");
        assertThat(lazy.pending).isEmpty();
    }

    @Test
    void stepsRunAheadWhereTheNextRateCannotDependOnThePendingStep() {
        ScriptedNetwork direct = new ScriptedNetwork(4, steps -> 1.0 / (steps + 1));
        ScriptedNetwork behind = new ScriptedNetwork(4, steps -> 1.0 / (steps + 1));
        LazyNetwork lazy = new LazyNetwork(behind, true);
        List<String> expected = reports(direct, trainer());
        assertThat(reports(lazy, trainer())).containsExactlyElementsIn(expected).inOrder();
        assertThat(behind.steps()).isEqualTo(9);
        assertThat(behind.parameterStep()).isEqualTo(direct.parameterStep());
        // The rate halves every 2 steps, so step k+1 starts ahead of step k's collection only where k-1
        // steps are collected and k-1 is even: whether step k applies cannot change step k+1's rate.
        // Epochs hold 3 batches and end with every step collected.
        assertThat(lazy.log).containsExactly("start 1", "start 2", "finish 1", "finish 2", "start 3", "finish 3",
                "evaluate", "start 4", "finish 4", "start 5", "start 6", "finish 5", "finish 6", "evaluate", "start 7",
                "start 8", "finish 7", "finish 8", "start 9", "finish 9", "evaluate").inOrder();
        assertThat(lazy.pending).isEmpty();
    }

    @Test
    void underAConstantRateEveryStepStartsBeforeTheOneBeforeIsCollected() {
        Trainer.Builder constant = Trainer.builder().epochs(2).batch(4).learningRate(0.4).validation(VALIDATION);
        List<String> expected = reports(new ScriptedNetwork(4, steps -> 1.0 / (steps + 1)), constant);
        LazyNetwork lazy = new LazyNetwork(new ScriptedNetwork(4, steps -> 1.0 / (steps + 1)), true);
        Trainer.Builder again = Trainer.builder().epochs(2).batch(4).learningRate(0.4).validation(VALIDATION);
        assertThat(reports(lazy, again)).containsExactlyElementsIn(expected).inOrder();
        assertThat(lazy.log).containsExactly("start 1", "start 2", "finish 1", "start 3", "finish 2", "finish 3",
                "evaluate", "start 4", "start 5", "finish 4", "start 6", "finish 5", "finish 6", "evaluate").inOrder();
    }

    @Test
    void aStopHoldsBackTheStepStartedAheadOfTheDivergingOne() {
        Trainer.Builder constant = Trainer.builder().epochs(3).batch(4).learningRate(0.4).validation(VALIDATION);
        ScriptedNetwork direct = new ScriptedNetwork(4, steps -> 0);
        direct.nanAtCalls = Set.of(5);
        List<String> expected = reports(direct, constant);
        assertThat(expected.get(expected.size() - 1)).startsWith("diverged: the training loss became NaN at step 5");
        ScriptedNetwork behind = new ScriptedNetwork(4, steps -> 0);
        behind.nanAtCalls = Set.of(5);
        LazyNetwork lazy = new LazyNetwork(behind, true);
        Trainer.Builder again = Trainer.builder().epochs(3).batch(4).learningRate(0.4).validation(VALIDATION);
        assertThat(reports(lazy, again)).containsExactlyElementsIn(expected).inOrder();
        // Step 6 had started; it ended held back, and the weights are step 4's.
        assertThat(lazy.log.subList(lazy.log.size() - 4, lazy.log.size()))
                .containsExactly("start 6", "finish 5", "finish 6", "evaluate").inOrder();
        assertThat(lazy.pending).isEmpty();
        assertThat(behind.steps()).isEqualTo(4);
        assertThat(behind.parameterStep()).isEqualTo(4);
    }

    @Test
    void skippedStepsAreLeftOutAsStepByStepWhenRunningAhead() {
        Trainer.Builder constant = Trainer.builder().epochs(3).batch(4).learningRate(0.4).onNonFinite(NonFinite.SKIP);
        ScriptedNetwork direct = new ScriptedNetwork(4, steps -> 0);
        direct.nanAtCalls = Set.of(2, 6);
        List<String> expected = reports(direct, constant);
        ScriptedNetwork behind = new ScriptedNetwork(4, steps -> 0);
        behind.nanAtCalls = Set.of(2, 6);
        Trainer.Builder again = Trainer.builder().epochs(3).batch(4).learningRate(0.4).onNonFinite(NonFinite.SKIP);
        assertThat(reports(new LazyNetwork(behind, true), again)).containsExactlyElementsIn(expected).inOrder();
        assertThat(behind.steps()).isEqualTo(7);
    }
}
