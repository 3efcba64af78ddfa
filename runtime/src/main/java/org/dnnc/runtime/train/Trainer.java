package org.dnnc.runtime.train;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.BooleanSupplier;
import java.util.function.LongSupplier;
import org.dnnc.runtime.Hold;
import org.dnnc.runtime.data.Augmentation;
import org.dnnc.runtime.data.Column;
import org.dnnc.runtime.data.Dataset;

/**
 * Trains a {@link TrainableNetwork} on a {@link Dataset}: epochs of mini-batches in a seeded
 * shuffled order, a learning-rate schedule, validation after every epoch, early stopping, and
 * listeners (such as the {@link ProgressBar}). Immutable and reusable; configure it with {@link
 * #builder()}:
 *
 * <pre>{@code
 * History history = Trainer.builder()
 *         .epochs(10).batch(64).seed(42)
 *         .learningRate(1e-3).schedule(new LearningRate.Cosine(Span.epochs(5), 0, 1))
 *         .validationSplit(0.1)
 *         .earlyStopping(EarlyStopping.on(Metric.VAL_LOSS))
 *         .build()
 *         .fit(net, train);
 * }</pre>
 *
 * <p>On a terminal, {@code fit} draws a progress bar ({@link Builder#progress(boolean)} turns it
 * off or on).
 */
public final class Trainer {
    /** The language's default epoch count. */
    public static final int DEFAULT_EPOCHS = 10;
    /** The language's default seed. */
    public static final long DEFAULT_SEED = 42;

    private final Settings settings;

    private Trainer(Settings settings) {
        this.settings = settings;
    }

    /** A builder with the language's defaults; only the learning rate must be set. */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Trains {@code net} on {@code train} and returns what each epoch measured. The network keeps
     * its trained parameters (its best ones, if early stopping restores them).
     *
     * @throws IllegalArgumentException if the data does not fit the network (the message names
     *     the expected and the actual shape), the batch is larger than the network takes, or an
     *     accuracy is monitored on a network that measures none
     * @throws IllegalStateException if another thread is using the network: {@code fit} holds it
     *     ({@link org.dnnc.runtime.Network#hold()}) until it returns, so that no other thread's call
     *     runs between two steps
     */
    public History fit(TrainableNetwork net, Dataset train) {
        int batch = batchFor(net);
        Feed feed = Feed.of(net, train, "the training data");
        if (!settings.augmentations().isEmpty()) {
            Column features = train.featureColumn().filter(f -> feed.binding().reads(f)).orElse(null);
            if (features == null) {
                throw new IllegalArgumentException("augmentation changes the data set's features, but network "
                        + net.name() + " reads none of " + train);
            }
            for (Augmentation a : settings.augmentations()) {
                if (a.needsImages() && features.shape().length != 3) {
                    throw new IllegalArgumentException(a + " needs images [C, H, W], but the examples have shape "
                            + Arrays.toString(features.shape()));
                }
            }
        }
        Dataset validation = settings.validation();
        if (settings.validationSplit() > 0) {
            Dataset.Split split = train.split(settings.validationSplit(), settings.seed());
            train = split.train();
            validation = split.validation();
        } else if (validation != null) {
            Feed.of(net, validation, "the validation data");
        }
        EarlyStopping early = settings.earlyStopping();
        if (early != null && early.monitor().isAccuracy() && !net.hasAccuracy()) {
            throw new IllegalArgumentException("early stopping monitors " + early.monitor().key() + ", but network "
                    + net.name() + " measures no accuracy (it is not a classifier trained on labels)");
        }
        // Held for the whole run: another thread's call between two steps would see half-trained
        // weights, and its steps would interleave with these.
        try (Hold hold = net.hold()) {
            return new TrainingRun(net, train, validation, batch, settings).run();
        }
    }

    /**
     * Compiles the training step's code before {@link #fit} times it: trains {@code scratch}, a
     * second instance of the network's class that is thrown away afterwards, on {@code train}'s
     * batches (shuffled and augmented as {@code fit} would) until the just-in-time compiler has
     * finished its work on them (at most two epochs' batches or 30 seconds), then evaluates a few
     * batches. The compiled code serves every instance of the class, so the real run's first epoch
     * goes about as fast as the next ones; since the real network is not touched, its training is
     * exactly what it would have been without the warm-up. Listeners are not called.
     *
     * @param scratch a network of the same class as the one to train, and not that one: its
     *     parameters and optimizer state are changed
     * @throws IllegalArgumentException if the data does not fit the network or the batch is larger
     *     than it takes
     */
    public WarmUp warmUp(TrainableNetwork scratch, Dataset train) {
        int batch = batchFor(scratch);
        try (Hold hold = scratch.hold()) {
            return WarmUp.run(scratch, train, batch, settings);
        }
    }

    private int batchFor(TrainableNetwork net) {
        int batch = settings.batch() == 0 ? net.maxBatch() : settings.batch();
        if (batch > net.maxBatch()) {
            throw new IllegalArgumentException("batch " + batch + " is larger than network " + net.name()
                    + " takes: its memory is planned for batches of at most " + net.maxBatch());
        }
        return batch;
    }

    /**
     * Checks, without training, that {@code data} can feed {@code net} as {@link #fit} would: a
     * column for every input and target, of the right element type and shape, finite values and
     * labels that are classes of the network.
     *
     * @throws IllegalArgumentException naming the input, the column and the expected and actual
     *     shape, or the example at fault
     */
    public static void checkData(TrainableNetwork net, Dataset data) {
        Feed.of(net, data, "the data");
    }

    /**
     * Measures {@code net} on {@code data} in inference mode (no dropout, no update).
     *
     * @throws IllegalArgumentException if the data does not fit the network
     */
    public Evaluation evaluate(TrainableNetwork net, Dataset data) {
        Feed feed = Feed.of(net, data, "the evaluation data");
        return new Evaluator(net, data, feed, settings.nanoTime()).run();
    }

    /** The listeners {@code fit} calls, the default progress bar included. */
    List<TrainingListener> listeners() {
        return settings.listeners();
    }

    /** The settings of a {@link Trainer}; every one has the language's default. */
    public static final class Builder {
        private int epochs = DEFAULT_EPOCHS;
        /** 0 for the network's {@link TrainableNetwork#maxBatch()}. */
        private int batch;
        private long seed = DEFAULT_SEED;
        private double learningRate = Double.NaN;
        private LearningRate schedule = new LearningRate.Constant();
        private Dataset validation;
        private double validationSplit;
        private EarlyStopping earlyStopping;
        private NonFinite nonFinite = NonFinite.STOP;
        private boolean shuffle = true;
        private LongSupplier nanoTime = System::nanoTime;
        /** Whether standard output is a terminal: asked once, when building; tests pretend either. */
        private BooleanSupplier terminal = ProgressBar::onTerminal;
        private final List<TrainingListener> listeners = new ArrayList<>();
        /** {@code null}: a progress bar when standard output is a terminal. */
        private Boolean progress;
        private List<Augmentation> augmentations = List.of();

        private Builder() {}

        /** Passes over the training data, 1 to 1,000,000 (default 10). */
        public Builder epochs(int epochs) {
            if (epochs < 1 || epochs > 1_000_000) {
                throw new IllegalArgumentException("epochs must be from 1 to 1000000, got " + epochs);
            }
            this.epochs = epochs;
            return this;
        }

        /** Examples per step, at most the network's {@link TrainableNetwork#maxBatch()} (the default). */
        public Builder batch(int batch) {
            if (batch < 1) {
                throw new IllegalArgumentException("batch must be at least 1, got " + batch);
            }
            this.batch = batch;
            return this;
        }

        /** Seed of the shuffles and of the validation split (default 42). */
        public Builder seed(long seed) {
            this.seed = seed;
            return this;
        }

        /** The optimizer's base learning rate, which the schedule varies; required. */
        public Builder learningRate(double learningRate) {
            if (!(learningRate > 0) || !Double.isFinite(learningRate)) {
                throw new IllegalArgumentException("the learning rate must be a positive number, got " + learningRate);
            }
            this.learningRate = learningRate;
            return this;
        }

        /** How the learning rate varies (default constant). */
        public Builder schedule(LearningRate schedule) {
            this.schedule = require(schedule, "schedule");
            return this;
        }

        /** Data to measure {@code val_loss} and {@code val_accuracy} on after each epoch. */
        public Builder validation(Dataset validation) {
            this.validation = require(validation, "validation data");
            return this;
        }

        /**
         * Holds out this fraction of the training data, chosen by the seed, for validation
         * instead; 0 (the default) holds out nothing.
         */
        public Builder validationSplit(double fraction) {
            if (!(fraction >= 0 && fraction < 1)) {
                throw new IllegalArgumentException("the validation split must be a fraction in [0, 1), got " + fraction);
            }
            this.validationSplit = fraction;
            return this;
        }

        /** Stops when a metric stops improving (default: never). */
        public Builder earlyStopping(EarlyStopping earlyStopping) {
            this.earlyStopping = require(earlyStopping, "early stopping");
            return this;
        }

        /** Removes any early stopping set before: every epoch runs (benchmarks measure whole epochs). */
        public Builder withoutEarlyStopping() {
            this.earlyStopping = null;
            return this;
        }

        /**
         * Random transformations applied, in this order, to the features of every training batch
         * before its step (none by default); validation and evaluation data stay as they are.
         * Draws come from the trainer's seed.
         */
        public Builder augment(Augmentation... stages) {
            for (Augmentation a : stages) {
                require(a, "augmentation");
            }
            this.augmentations = List.of(stages);
            return this;
        }

        /**
         * Whether {@code fit} draws a {@link ProgressBar} on standard output. By default it does
         * when standard output is a terminal, and not in logs, pipes or tests; a {@code
         * ProgressBar} added as a listener takes its place.
         */
        public Builder progress(boolean show) {
            this.progress = show;
            return this;
        }

        /** Adds a listener; listeners are called in the order they were added. */
        public Builder listener(TrainingListener listener) {
            listeners.add(require(listener, "listener"));
            return this;
        }

        /** What a step with a NaN or infinite loss does (default {@link NonFinite#STOP}). */
        public Builder onNonFinite(NonFinite nonFinite) {
            this.nonFinite = require(nonFinite, "non-finite loss policy");
            return this;
        }

        /** Whether each epoch visits the examples in a new shuffled order (default) or in the data's order. */
        public Builder shuffle(boolean shuffle) {
            this.shuffle = shuffle;
            return this;
        }

        /** Whether standard output is a terminal, for the default of {@link #progress}; tests pretend either. */
        Builder terminal(BooleanSupplier terminal) {
            this.terminal = require(terminal, "terminal check");
            return this;
        }

        /** The clock that epochs and evaluations are timed with; tests pass a fake one. */
        Builder nanoTime(LongSupplier nanoTime) {
            this.nanoTime = require(nanoTime, "clock");
            return this;
        }

        /**
         * @throws IllegalArgumentException if no learning rate was set, both validation data and a
         *     split were given, or a validation metric is monitored without validation data
         */
        public Trainer build() {
            if (Double.isNaN(learningRate)) {
                throw new IllegalArgumentException("set the base learning rate with learningRate(...)");
            }
            if (validation != null && validationSplit > 0) {
                throw new IllegalArgumentException("give either validation data or a validation split, not both");
            }
            if (earlyStopping != null && earlyStopping.monitor().needsValidation() && validation == null
                    && validationSplit == 0) {
                throw new IllegalArgumentException("early stopping monitors " + earlyStopping.monitor().key()
                        + ", but there is no validation data: add validation(...) or validationSplit(...)");
            }
            List<TrainingListener> all = new ArrayList<>(listeners);
            boolean bar = progress != null ? progress : terminal.getAsBoolean();
            if (bar && all.stream().noneMatch(l -> l instanceof ProgressBar)) {
                all.add(0, ProgressBar.auto());
            }
            return new Trainer(new Settings(epochs, batch, seed, learningRate, schedule, validation, validationSplit,
                    earlyStopping, shuffle, nanoTime, all, augmentations, nonFinite));
        }

        private static <T> T require(T value, String what) {
            if (value == null) {
                throw new IllegalArgumentException("the " + what + " must not be null");
            }
            return value;
        }
    }
}
