package org.dnnc.runtime.train;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.function.BooleanSupplier;
import org.dnnc.runtime.data.BatchIterator;
import org.dnnc.runtime.data.Batches;
import org.dnnc.runtime.data.Dataset;

/**
 * One call of {@link Trainer#fit}, after its checks: the epoch loop with its buffers and counters,
 * all allocated before the first step.
 */
final class TrainingRun {
    private final TrainableNetwork net;
    private final Settings settings;
    /** An array, not the list: iterating a list would allocate an iterator after every batch. */
    private final TrainingListener[] listeners;
    private final Batches batches;
    private final BatchBuffers buffers;
    private final Evaluator validation;
    private final EpochCounters counters;
    private final EarlyStopState earlyStop;
    private final TrainingPlan plan;
    private final long stepLimit;
    /** The network's completed epochs when the run began: where its data order continues. */
    private final long firstEpoch;
    /** Asked before each step whether the run has done enough; only {@link WarmUp}'s run ends this way. */
    private final BooleanSupplier enough;
    private StopReason reason = StopReason.COMPLETED;
    private String message;
    /** Steps left out for a non-finite loss ({@link NonFinite#SKIP}): in all, and in the current epoch. */
    private long skipped;
    private int skippedThisEpoch;
    /** The step started and not yet collected, with its batch's size and its rate; null when none is. */
    private PendingStep pending;
    private int pendingCount;
    private double pendingRate;

    TrainingRun(TrainableNetwork net, Dataset train, Dataset validation, int batch, Settings settings) {
        this(net, train, validation, batch, settings, () -> false);
    }

    /** A run that also ends, between two steps, once {@code enough} says so. */
    TrainingRun(TrainableNetwork net, Dataset train, Dataset validation, int batch, Settings settings,
            BooleanSupplier enough) {
        this.net = net;
        this.enough = enough;
        this.settings = settings;
        this.listeners = settings.listeners().toArray(new TrainingListener[0]);
        Batches inOrder = Batches.of(train, batch);
        this.batches = settings.shuffle() ? inOrder.shuffled(settings.seed()) : inOrder;
        this.buffers = new BatchBuffers(net, train, Feed.of(net, train, "the training data"), batch,
                settings.augmentations(), settings.seed());
        this.validation = validation == null ? null : new Evaluator(net, validation,
                Feed.of(net, validation, "the validation data"), settings.nanoTime());
        this.counters = new EpochCounters(settings.epochs(), batches.batchesPerEpoch(), net.hasAccuracy(),
                net.labelsPerExample());
        this.earlyStop = settings.earlyStopping() == null ? null : new EarlyStopState(settings.earlyStopping(), net);
        this.plan = new TrainingPlan(net.name(), net.inputs().isEmpty() ? List.of()
                : Arrays.stream(net.inputs().get(0).shape()).boxed().toList(), net.hasAccuracy(),
                settings.epochs(), batch, batches.batchesPerEpoch(), train.size(),
                validation == null ? 0 : validation.size());
        this.stepLimit = settings.schedule().stepLimit(batches.batchesPerEpoch());
        this.message = "completed " + settings.epochs() + " epoch" + (settings.epochs() == 1 ? "" : "s");
        net.onNonFinite(settings.nonFinite());
        this.firstEpoch = net.epochs();
    }

    History run() {
        for (TrainingListener l : listeners) {
            l.onTrainBegin(plan);
        }
        if (net.steps() >= stepLimit) {
            stop(StopReason.RANGE_TEST_FINISHED, rangeTestMessage());
        }
        List<EpochRecord> epochs = new ArrayList<>();
        for (int epoch = 1; epoch <= settings.epochs() && going(); epoch++) {
            EpochRecord record = runEpoch(epoch);
            epochs.add(record);
            for (TrainingListener l : listeners) {
                l.onEpochEnd(record);
            }
            // Updated after every epoch, whatever else stops training, so that the best parameters are kept.
            if (earlyStop != null && earlyStop.update(record, net) && epoch < settings.epochs()) {
                stop(StopReason.EARLY_STOPPING, earlyStop.stopMessage());
            }
        }
        if (earlyStop != null && !epochs.isEmpty()) {
            message += earlyStop.restoreBest(net, epochs.get(epochs.size() - 1).epoch());
        }
        if (skipped > 0) {
            message += "; left out " + skipped + " step" + (skipped == 1 ? "" : "s") + " with a NaN or infinite loss";
        }
        History history = new History(epochs, reason, message);
        for (TrainingListener l : listeners) {
            l.onTrainEnd(history);
        }
        if (reason == StopReason.NON_FINITE_LOSS) {
            throw new TrainingDivergedException(history);
        }
        return history;
    }

    /** Trains one epoch (or until something stops training), validates, and records it. */
    private EpochRecord runEpoch(int epoch) {
        long start = settings.nanoTime().getAsLong();
        for (TrainingListener l : listeners) {
            l.onEpochBegin(epoch);
        }
        counters.startEpoch(epoch);
        skippedThisEpoch = 0;
        // The network's epochs before this call, not the call's own count, place the data order: a
        // resumed run sees what an uninterrupted one would.
        int order = Math.toIntExact(firstEpoch + epoch - 1);
        buffers.startEpoch(order);
        // Batch k+1 is filled while step k computes. A network that runs steps ahead gets step k+1
        // before step k is collected when that cannot change what step k+1 sees: its rate is the same
        // whether or not step k applies, and it stays within the range test's steps. Otherwise step k
        // is collected first, so every step sees the rate and step count it would see if each ran to
        // the end first. The pending steps are collected before the epoch ends, and on every way out.
        boolean ahead = net.runsStepsAhead();
        pending = null;
        try {
            for (BatchIterator it = batches.epoch(order); it.hasNext() && going(); ) {
                int n = buffers.fill(it);
                if (pending != null && !(ahead && startsAhead())) {
                    collectPending(epoch);
                    if (reason != StopReason.COMPLETED) {
                        break;
                    }
                }
                double rate = rate(net.steps());
                PendingStep previous = pending;
                int previousCount = pendingCount;
                double previousRate = pendingRate;
                pending = buffers.start(n, rate);
                pendingCount = n;
                pendingRate = rate;
                if (previous != null) {
                    collect(previous.finish(), previousCount, previousRate, epoch);
                    if (reason != StopReason.COMPLETED) {
                        // Only a stop for a non-finite step gets here: the network held the step just
                        // started back from updating (see startTrainStep), so it ends uncounted.
                        PendingStep held = pending;
                        pending = null;
                        held.finish();
                    }
                }
            }
            if (pending != null) {
                collectPending(epoch);
            }
        } catch (RuntimeException | Error e) {
            if (pending != null) {
                // Leaving on an exception: the step still ends, so that the network's state is whole.
                try {
                    pending.finish();
                } catch (RuntimeException | Error again) {
                    e.addSuppressed(again);
                }
                pending = null;
            }
            throw e;
        }
        if (skippedThisEpoch > 0 && skippedThisEpoch == batches.batchesPerEpoch()) {
            stop(StopReason.NON_FINITE_LOSS, "every step of epoch " + epoch + " had a NaN or infinite loss or gradient:"
                    + " training diverged (try a smaller learning rate); the network keeps its weights from step "
                    + net.steps());
        }
        if (reason == StopReason.COMPLETED) {
            net.epochCompleted();
        }
        return finishEpoch(start);
    }

    private boolean going() {
        return reason == StopReason.COMPLETED && !enough.getAsBoolean();
    }

    /**
     * Whether the next step may start before the pending one is collected: its rate is the same
     * whether or not the pending step applies, and it cannot pass the range test's last step.
     */
    private boolean startsAhead() {
        long steps = net.steps();
        return rate(steps) == rate(steps + 1) && steps + 2 <= stepLimit;
    }

    private double rate(long steps) {
        return settings.schedule().rate(settings.learningRate(), steps, batches.batchesPerEpoch());
    }

    /** Collects the step in flight, which is no longer pending once this starts. */
    private void collectPending(int epoch) {
        PendingStep step = pending;
        pending = null;
        collect(step.finish(), pendingCount, pendingRate, epoch);
    }

    /** Counts a finished step of {@code n} examples at {@code rate}, and stops training if it says so. */
    private void collect(StepResult result, int n, double rate, int epoch) {
        boolean finite = result.finite();
        if (!finite && settings.nonFinite() == NonFinite.SKIP) {
            skipped++;
            skippedThisEpoch++;
            return;
        }
        counters.add(result, n, rate, net.steps());
        for (TrainingListener l : listeners) {
            l.onBatchEnd(counters);
        }
        if (!finite && settings.nonFinite() == NonFinite.STOP) {
            // The network applied no update for this step: its weights are those of the step before.
            String what = Double.isFinite(result.lossSum())
                    ? "a gradient became NaN or infinite (the loss was " + result.lossSum() / n + ")"
                    : "the training loss became " + result.lossSum();
            stop(StopReason.NON_FINITE_LOSS, what + " at step " + (net.steps() + 1) + " in epoch " + epoch
                    + ": training diverged (try a smaller learning rate); the network keeps its weights from step "
                    + net.steps());
        } else if (net.steps() >= stepLimit) {
            stop(StopReason.RANGE_TEST_FINISHED, rangeTestMessage());
        }
    }

    /** The first reason to stop wins. */
    private void stop(StopReason why, String details) {
        if (reason == StopReason.COMPLETED) {
            reason = why;
            message = details;
        }
    }

    /** Validates if there is validation data and records the epoch that started at {@code start}. */
    private EpochRecord finishEpoch(long start) {
        long trained = settings.nanoTime().getAsLong();
        Evaluation val = validation == null ? null : validation.run();
        long end = settings.nanoTime().getAsLong();
        double trainSeconds = (trained - start) / 1e9;
        return new EpochRecord(counters.epoch(), net.steps(), counters.epochExamples(), counters.epochLoss(),
                counters.epochAccuracy(), val == null ? Double.NaN : val.loss(), val == null ? Double.NaN : val.accuracy(),
                counters.learningRate(), (end - start) / 1e9, counters.epochExamples() / trainSeconds);
    }

    private String rangeTestMessage() {
        return String.format(Locale.ROOT, "the learning-rate range test finished after %d steps", stepLimit);
    }
}
