package org.dnnc.runtime.train;

import static com.google.common.truth.Truth.assertThat;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import org.dnnc.runtime.data.Dataset;
import org.junit.jupiter.api.Test;

class TrainerTest {

    /**
     * 400 points in the plane, labelled by the side of the line x + y = 0 they lie on, none closer
     * to it than 0.3: linearly separable, so logistic regression can classify all of them.
     */
    static Dataset separable(long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        int n = 400;
        float[] x = new float[2 * n];
        int[] y = new int[n];
        for (int i = 0; i < n; ) {
            float a = (float) random.nextDouble(-3, 3);
            float b = (float) random.nextDouble(-3, 3);
            if (Math.abs(a + b) >= 0.3) {
                x[2 * i] = a;
                x[2 * i + 1] = b;
                y[i] = a + b > 0 ? 1 : 0;
                i++;
            }
        }
        return Dataset.of(x, new int[] {2}, y);
    }

    private static Trainer.Builder logistic() {
        return Trainer.builder().epochs(10).batch(32).learningRate(0.5).nanoTime(new FakeClock(1_000_000));
    }

    @Test
    void logisticRegressionLearnsSeparableData() {
        Dataset data = separable(1);
        LogisticRegression net = new LogisticRegression(2, 2, 32);
        Trainer trainer = logistic().validationSplit(0.25).build();
        History history = trainer.fit(net, data);

        assertThat(history.epochs()).hasSize(10);
        assertThat(history.stopReason()).isEqualTo(StopReason.COMPLETED);
        assertThat(history.stopMessage()).isEqualTo("completed 10 epochs");
        assertThat(history.epochs().get(0).loss()).isGreaterThan(history.last().loss());
        assertThat(history.last().accuracy()).isGreaterThan(0.95);
        assertThat(history.last().valAccuracy()).isGreaterThan(0.95);
        Evaluation all = trainer.evaluate(net, data);
        assertThat(all.examples()).isEqualTo(400);
        assertThat(all.accuracy()).isGreaterThan(0.95);
        assertThat(all.loss()).isLessThan(history.epochs().get(0).loss());
    }

    @Test
    void theSameSeedGivesTheSameLossesAndAnotherSeedOthers() {
        Dataset data = separable(2);
        List<Double> first = losses(logistic().seed(7).validationSplit(0.1).build().fit(new LogisticRegression(2, 2, 32), data));
        List<Double> again = losses(logistic().seed(7).validationSplit(0.1).build().fit(new LogisticRegression(2, 2, 32), data));
        List<Double> other = losses(logistic().seed(8).validationSplit(0.1).build().fit(new LogisticRegression(2, 2, 32), data));
        assertThat(again).isEqualTo(first);
        assertThat(other).isNotEqualTo(first);
    }

    private static List<Double> losses(History history) {
        List<Double> losses = new ArrayList<>();
        for (EpochRecord e : history.epochs()) {
            losses.add(e.loss());
            losses.add(e.valLoss());
        }
        return losses;
    }

    @Test
    void aShortLastBatchIsTrainedAndTheEpochLossIsTheExactMean() {
        // Inputs 0..9 in batches of 4: 4, 4, 2. The mean over examples is 4.5; averaging the batch
        // means (1.5, 5.5, 8.5) would give 5.1667 instead.
        ScriptedNetwork net = new ScriptedNetwork(4, steps -> 0);
        Dataset data = ScriptedNetwork.data(0, 1, 2, 3, 4, 5, 6, 7, 8, 9);
        History history = Trainer.builder().epochs(2).batch(4).learningRate(0.1).shuffle(false).build().fit(net, data);

        assertThat(net.log).containsExactly("trainStep 4", "trainStep 4", "trainStep 2",
                "trainStep 4", "trainStep 4", "trainStep 2").inOrder();
        EpochRecord first = history.epochs().get(0);
        assertThat(first.loss()).isEqualTo(4.5);
        assertThat(first.examples()).isEqualTo(10);
        assertThat(first.steps()).isEqualTo(3);
        assertThat(first.accuracy()).isEqualTo(0.5); // labels alternate 1, 0: five "correct"
        assertThat(first.valLoss()).isNaN();
        assertThat(history.last().steps()).isEqualTo(6);
    }

    @Test
    void shufflingChangesTheOrderEachEpochAsTheSeedSays() {
        // The scripted batch loss is the mean of the batch's inputs, which tells the batches apart.
        Dataset data = ScriptedNetwork.data(0, 1, 2, 3, 4, 5, 6, 7, 8, 9);
        List<Double> inOrder = batchLosses(Trainer.builder().shuffle(false), data);
        assertThat(inOrder).containsExactly(1.5, 5.5, 8.5, 1.5, 5.5, 8.5).inOrder();

        List<Double> shuffled = batchLosses(Trainer.builder().seed(3), data);
        assertThat(shuffled).isNotEqualTo(inOrder);
        assertThat(shuffled.subList(0, 3)).isNotEqualTo(shuffled.subList(3, 6));
        assertThat(batchLosses(Trainer.builder().seed(3), data)).isEqualTo(shuffled);
        assertThat(batchLosses(Trainer.builder().seed(4), data)).isNotEqualTo(shuffled);
    }

    /** The loss of every batch of two epochs in batches of 4. */
    private static List<Double> batchLosses(Trainer.Builder builder, Dataset data) {
        List<Double> losses = new ArrayList<>();
        History history = builder.epochs(2).batch(4).learningRate(0.1).listener(new TrainingListener() {
            @Override
            public void onBatchEnd(BatchProgress progress) {
                losses.add(progress.batchLoss());
            }
        }).build().fit(new ScriptedNetwork(4, steps -> 0), data);
        for (EpochRecord e : history.epochs()) {
            assertThat(e.loss()).isWithin(1e-12).of(4.5); // every epoch sees every example once
        }
        return losses;
    }

    @Test
    void theScheduleSetsEachStepsRate() {
        // 100 examples, batch 32: 4 steps per epoch; step decay by 0.5 every epoch from 0.4.
        LogisticRegression net = new LogisticRegression(2, 2, 32);
        Trainer trainer = Trainer.builder().epochs(3).batch(32).learningRate(0.4)
                .schedule(new LearningRate.StepDecay(Span.epochs(1), 0.5)).build();
        History history = trainer.fit(net, separable(3).head(100));

        assertThat(net.trainCounts).containsExactly(32, 32, 32, 4, 32, 32, 32, 4, 32, 32, 32, 4).inOrder();
        assertThat(net.rates).containsExactly(0.4, 0.4, 0.4, 0.4, 0.2, 0.2, 0.2, 0.2, 0.1, 0.1, 0.1, 0.1).inOrder();
        assertThat(history.epochs().get(1).learningRate()).isEqualTo(0.2);
    }

    @Test
    void theRangeTestEndsTrainingAfterItsSteps() {
        ScriptedNetwork net = new ScriptedNetwork(4, steps -> 0);
        Dataset data = ScriptedNetwork.data(0, 1, 2, 3, 4, 5, 6, 7, 8, 9);
        History history = Trainer.builder().epochs(10).batch(4).learningRate(0.1)
                .schedule(new LearningRate.RangeTest(1e-3, 1, Span.steps(5))).build().fit(net, data);

        assertThat(net.steps()).isEqualTo(5);
        assertThat(history.stopReason()).isEqualTo(StopReason.RANGE_TEST_FINISHED);
        assertThat(history.stoppedEarly()).isTrue();
        assertThat(history.stopMessage()).isEqualTo("the learning-rate range test finished after 5 steps");
        assertThat(history.epochs()).hasSize(2);
        assertThat(history.last().examples()).isEqualTo(8); // two batches of the second epoch
    }

    @Test
    void aNonFiniteLossStopsTrainingWithAnErrorAndKeepsTheWeightsOfTheStepBefore() {
        ScriptedNetwork net = new ScriptedNetwork(4, steps -> 0);
        net.nanAtCalls = Set.of(5);
        TrainingDivergedException e = assertThrows(TrainingDivergedException.class,
                () -> Trainer.builder().epochs(10).batch(4).learningRate(0.1).build()
                        .fit(net, ScriptedNetwork.data(0, 1, 2, 3, 4, 5, 6, 7, 8, 9)));
        assertThat(e).hasMessageThat().isEqualTo("the training loss became NaN at step 5 in epoch 2: training"
                + " diverged (try a smaller learning rate); the network keeps its weights from step 4");
        assertThat(e.history().stopReason()).isEqualTo(StopReason.NON_FINITE_LOSS);
        assertThat(e.history().last().loss()).isNaN();
        assertThat(net.steps()).isEqualTo(4);
        float[] weights = new float[1];
        net.copyParametersTo(weights);
        assertThat(weights[0]).isEqualTo(4f);
    }

    @Test
    void skippingLeavesOutTheStepsWithANonFiniteLossAndCountsThem() {
        ScriptedNetwork net = new ScriptedNetwork(4, steps -> 0);
        net.nanAtCalls = Set.of(2, 5);
        History history = Trainer.builder().epochs(3).batch(4).learningRate(0.1).onNonFinite(NonFinite.SKIP).build()
                .fit(net, ScriptedNetwork.data(0, 1, 2, 3, 4, 5, 6, 7, 8, 9));
        assertThat(history.stopReason()).isEqualTo(StopReason.COMPLETED);
        assertThat(history.stopMessage()).isEqualTo("completed 3 epochs; left out 2 steps with a NaN or infinite loss");
        assertThat(net.steps()).isEqualTo(7);
        for (EpochRecord epoch : history.epochs()) {
            assertThat(epoch.loss()).isFinite();
        }
    }

    @Test
    void skippingStopsWhenAWholeEpochDiverges() {
        ScriptedNetwork net = new ScriptedNetwork(4, steps -> 0);
        net.nanAtCalls = Set.of(4, 5, 6);
        TrainingDivergedException e = assertThrows(TrainingDivergedException.class,
                () -> Trainer.builder().epochs(5).batch(4).learningRate(0.1).onNonFinite(NonFinite.SKIP).build()
                        .fit(net, ScriptedNetwork.data(0, 1, 2, 3, 4, 5, 6, 7, 8, 9)));
        assertThat(e).hasMessageThat().startsWith("every step of epoch 2 had a NaN or infinite loss");
        assertThat(net.steps()).isEqualTo(3);
    }

    @Test
    void ignoringAppliesTheUpdateAndGoesOn() {
        ScriptedNetwork net = new ScriptedNetwork(4, steps -> 0);
        net.nanAtCalls = Set.of(2);
        History history = Trainer.builder().epochs(2).batch(4).learningRate(0.1).onNonFinite(NonFinite.IGNORE).build()
                .fit(net, ScriptedNetwork.data(0, 1, 2, 3, 4, 5, 6, 7, 8, 9));
        assertThat(history.stopReason()).isEqualTo(StopReason.COMPLETED);
        assertThat(net.steps()).isEqualTo(6);
        assertThat(history.epochs().get(0).loss()).isNaN();
    }

    @Test
    void floatTargetsAndTheInputAsTargetReachTheNetwork() {
        float[] x = new float[24];
        float[] doubled = new float[24];
        for (int i = 0; i < x.length; i++) {
            x[i] = (i % 7 - 3) / 3f;
            doubled[i] = 2 * x[i];
        }
        Trainer trainer = Trainer.builder().epochs(20).batch(4).learningRate(0.5).build();

        ScaleNetwork regression = new ScaleNetwork(TargetKind.TARGETS, 3);
        History fitted = trainer.fit(regression, Dataset.regression(x, new int[] {3}, doubled, new int[] {3}));
        assertThat((double) regression.scale()).isWithin(1e-3).of(2.0);
        assertThat(fitted.last().accuracy()).isNaN();

        // An autoencoder trains on any data of the right input shape; labels are ignored.
        ScaleNetwork autoencoder = new ScaleNetwork(TargetKind.INPUT, 3);
        trainer.fit(autoencoder, Dataset.of(x, new int[] {3}, new int[8]));
        assertThat((double) autoencoder.scale()).isWithin(1e-3).of(1.0);
        assertThat(trainer.evaluate(autoencoder, Dataset.of(x, new int[] {3}, new int[8])).loss()).isLessThan(1e-6);
    }

    @Test
    void aWrongInputShapeNamesBothShapes() {
        Dataset images = Dataset.of(new float[2 * 4], new int[] {1, 2, 2}, new int[2]);
        Trainer trainer = Trainer.builder().learningRate(0.1).build();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> trainer.fit(new LogisticRegression(2, 2, 32), images));
        assertThat(e).hasMessageThat().isEqualTo("the training data has examples of shape [1, 2, 2], but network "
                + "LogisticRegression takes inputs of shape [2]");

        IllegalArgumentException flat = assertThrows(IllegalArgumentException.class,
                () -> trainer.evaluate(new LogisticRegression(4, 2, 32), images));
        assertThat(flat).hasMessageThat().isEqualTo("the evaluation data has examples of shape [1, 2, 2], but network "
                + "LogisticRegression takes inputs of shape [4] (the same 4 values: view them with dataset.reshape(4))");
    }

    @Test
    void theDataMustHaveTheTargetsTheNetworkLearns() {
        Trainer trainer = Trainer.builder().learningRate(0.1).build();
        Dataset regression = Dataset.regression(new float[4], new int[] {2}, new float[2], new int[] {1});
        assertThat(assertThrows(IllegalArgumentException.class,
                () -> trainer.fit(new LogisticRegression(2, 2, 8), regression)))
                .hasMessageThat().isEqualTo("the training data has float targets of shape [1], but network "
                        + "LogisticRegression is trained on class labels");
        assertThat(assertThrows(IllegalArgumentException.class,
                () -> trainer.fit(new ScaleNetwork(TargetKind.TARGETS, 2), regression)))
                .hasMessageThat().isEqualTo("the training data has targets of shape [1], but network Scale predicts "
                        + "targets of shape [2]");
        Dataset labelled = Dataset.of(new float[4], new int[] {2}, new int[2]);
        assertThat(assertThrows(IllegalArgumentException.class,
                () -> trainer.fit(new ScaleNetwork(TargetKind.TARGETS, 2), labelled)))
                .hasMessageThat().isEqualTo("the training data has class labels, but network Scale is trained on "
                        + "float targets of shape [2]");
    }

    @Test
    void nonFiniteValuesAndLabelsOutOfRangeAreFoundBeforeTheFirstStep() {
        Trainer trainer = Trainer.builder().learningRate(0.1).build();
        float[] x = new float[8];
        x[5] = Float.NaN;
        LogisticRegression net = new LogisticRegression(2, 3, 8);
        var nan = assertThrows(IllegalArgumentException.class, () -> trainer.fit(net, Dataset.of(x, new int[] {2}, new int[4])));
        assertThat(nan).hasMessageThat().isEqualTo("the training data's column `features` holds NaN at example 2"
                + " (value 1 of 2): inputs and targets must be finite numbers");
        var label = assertThrows(IllegalArgumentException.class,
                () -> trainer.evaluate(net, Dataset.of(new float[8], new int[] {2}, new int[] {0, 2, 3, 1})));
        assertThat(label).hasMessageThat().isEqualTo("the evaluation data's label 3 at example 2 (column `labels`) is"
                + " not a class of network LogisticRegression, which has 3 classes (0 to 2)");
        assertThat(net.trainCounts).isEmpty();
    }

    @Test
    void theBatchMustFitTheNetwork() {
        Trainer trainer = Trainer.builder().batch(64).learningRate(0.1).build();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> trainer.fit(new LogisticRegression(2, 2, 32), separable(4)));
        assertThat(e).hasMessageThat().isEqualTo(
                "batch 64 is larger than network LogisticRegression takes: its memory is planned for batches of at most 32");
    }

    @Test
    void settingsAreChecked() {
        assertThat(assertThrows(IllegalArgumentException.class, () -> Trainer.builder().build()))
                .hasMessageThat().isEqualTo("set the base learning rate with learningRate(...)");
        Dataset data = separable(5);
        assertThat(assertThrows(IllegalArgumentException.class,
                () -> Trainer.builder().learningRate(0.1).validation(data).validationSplit(0.1).build()))
                .hasMessageThat().isEqualTo("give either validation data or a validation split, not both");
        assertThat(assertThrows(IllegalArgumentException.class,
                () -> Trainer.builder().learningRate(0.1).earlyStopping(EarlyStopping.on(Metric.VAL_LOSS)).build()))
                .hasMessageThat().isEqualTo("early stopping monitors val_loss, but there is no validation data: "
                        + "add validation(...) or validationSplit(...)");
        Trainer onAccuracy = Trainer.builder().learningRate(0.1).earlyStopping(EarlyStopping.on(Metric.ACCURACY)).build();
        assertThat(assertThrows(IllegalArgumentException.class,
                () -> onAccuracy.fit(new ScaleNetwork(TargetKind.INPUT, 2), data)))
                .hasMessageThat().isEqualTo("early stopping monitors accuracy, but network Scale measures no accuracy "
                        + "(it is not a classifier trained on labels)");
    }

    @Test
    void listenersSeeEveryEventInOrder() {
        List<String> events = new ArrayList<>();
        ScriptedNetwork net = new ScriptedNetwork(4, steps -> 0);
        TrainingListener recorder = new TrainingListener() {
            @Override
            public void onTrainBegin(TrainingPlan plan) {
                events.add("trainBegin " + plan.epochs() + " epochs, " + plan.batchesPerEpoch() + " batches, "
                        + plan.trainExamples() + "+" + plan.validationExamples() + " examples");
            }

            @Override
            public void onEpochBegin(int epoch) {
                events.add("epochBegin " + epoch);
            }

            @Override
            public void onBatchEnd(BatchProgress p) {
                events.add(String.format("batch %d %d/%d step %d n=%d loss %.2f epochLoss %.2f", p.epoch(), p.batch(),
                        p.batchesPerEpoch(), p.step(), p.batchExamples(), p.batchLoss(), p.epochLoss()));
            }

            @Override
            public void onEpochEnd(EpochRecord epoch) {
                events.add("epochEnd " + epoch.epoch() + " loss " + epoch.loss());
            }

            @Override
            public void onTrainEnd(History history) {
                events.add("trainEnd " + history.epochs().size());
            }
        };
        Trainer.builder().epochs(2).batch(4).learningRate(0.1).shuffle(false).listener(recorder).build()
                .fit(net, ScriptedNetwork.data(0, 1, 2, 3, 4, 5));

        assertThat(events).containsExactly(
                "trainBegin 2 epochs, 2 batches, 6+0 examples",
                "epochBegin 1",
                "batch 1 1/2 step 1 n=4 loss 1.50 epochLoss 1.50",
                "batch 1 2/2 step 2 n=2 loss 4.50 epochLoss 2.50",
                "epochEnd 1 loss 2.5",
                "epochBegin 2",
                "batch 2 1/2 step 3 n=4 loss 1.50 epochLoss 1.50",
                "batch 2 2/2 step 4 n=2 loss 4.50 epochLoss 2.50",
                "epochEnd 2 loss 2.5",
                "trainEnd 2").inOrder();
    }

    @Test
    void aValidationSplitHoldsOutItsShareAndValidatesEveryEpoch() {
        ScriptedNetwork net = new ScriptedNetwork(8, steps -> steps * 0.25);
        float[] xs = new float[20];
        History history = Trainer.builder().epochs(2).batch(4).learningRate(0.1).validationSplit(0.2)
                .listener(new TrainingListener() {
                    @Override
                    public void onTrainBegin(TrainingPlan plan) {
                        assertThat(plan.trainExamples()).isEqualTo(16);
                        assertThat(plan.validationExamples()).isEqualTo(4);
                    }
                }).build().fit(net, ScriptedNetwork.data(xs));

        assertThat(net.log.stream().filter(s -> s.startsWith("trainStep")).count()).isEqualTo(8);
        assertThat(net.log.stream().filter(s -> s.startsWith("evaluateStep")).toList())
                .containsExactly("evaluateStep 4", "evaluateStep 4");
        assertThat(history.epochs().get(0).valLoss()).isEqualTo(1.0); // after 4 steps
        assertThat(history.epochs().get(1).valLoss()).isEqualTo(2.0); // after 8 steps
    }

    @Test
    void epochsAreTimedWithTheClock() {
        // Every clock reading advances 1 ms: an epoch reads the clock at its start, after training
        // and after validation (none here), so training takes 1 ms and the epoch 2 ms.
        ScriptedNetwork net = new ScriptedNetwork(4, steps -> 0);
        History history = Trainer.builder().epochs(1).batch(4).learningRate(0.1).nanoTime(new FakeClock(1_000_000))
                .build().fit(net, ScriptedNetwork.data(0, 1, 2, 3, 4, 5));
        assertThat(history.last().seconds()).isWithin(1e-12).of(0.002);
        assertThat(history.last().examplesPerSecond()).isWithin(1e-6).of(6000);
    }

    @Test
    void aProgressBarIsDrawnOnATerminalOrWhenAskedForAndNeverTwice() {
        // Tests run without a terminal, so by default there is none.
        assertThat(Trainer.builder().learningRate(0.1).build().listeners()).isEmpty();
        List<TrainingListener> onTerminal = Trainer.builder().learningRate(0.1).terminal(() -> true).build().listeners();
        assertThat(onTerminal).hasSize(1);
        assertThat(onTerminal.get(0)).isInstanceOf(ProgressBar.class);
        assertThat(Trainer.builder().learningRate(0.1).terminal(() -> true).progress(false).build().listeners())
                .isEmpty();
        assertThat(Trainer.builder().learningRate(0.1).terminal(() -> false).build().listeners()).isEmpty();
        List<TrainingListener> asked = Trainer.builder().learningRate(0.1).progress(true).build().listeners();
        assertThat(asked).hasSize(1);
        assertThat(asked.get(0)).isInstanceOf(ProgressBar.class);
        ProgressBar own = new ProgressBar(System.out, false, System::nanoTime);
        assertThat(Trainer.builder().learningRate(0.1).progress(true).listener(own).build().listeners())
                .containsExactly(own);
        assertThat(Trainer.builder().learningRate(0.1).progress(false).build().listeners()).isEmpty();
    }
}
