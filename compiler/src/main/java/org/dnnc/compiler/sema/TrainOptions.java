package org.dnnc.compiler.sema;

import static org.dnnc.compiler.sema.Specs.BOOL;
import static org.dnnc.compiler.sema.Specs.DURATION;
import static org.dnnc.compiler.sema.Specs.NON_NEGATIVE_REAL;
import static org.dnnc.compiler.sema.Specs.POSITIVE_INT;
import static org.dnnc.compiler.sema.Specs.POSITIVE_REAL;
import static org.dnnc.compiler.sema.Specs.PROBABILITY;
import static org.dnnc.compiler.sema.Specs.STRING;
import static org.dnnc.compiler.sema.Specs.UNIT_INTERVAL_OPEN;
import static org.dnnc.compiler.sema.Specs.oneOf;
import static org.dnnc.compiler.sema.Specs.opt;
import static org.dnnc.compiler.sema.Specs.req;

import java.util.List;

/** Everything the {@code train { }} section can say: settings, optimizers, schedules, initializers... */
final class TrainOptions {
    private TrainOptions() {}

    /** The one parameter of a setting: what follows {@code =}. */
    static final String VALUE = "value";

    static void register(Registry.Builder r) {
        setting(r, "loss", new ArgType.LossArg(), null, "The training loss, e.g. `cross_entropy(logits, label)`.");
        setting(r, "optimizer", new ArgType.OptionArg(Category.OPTIMIZER), "adam", "How parameters are updated.");
        setting(r, "schedule", new ArgType.OptionArg(Category.SCHEDULE), "constant", "How the learning rate changes over time.");
        setting(r, "init", new ArgType.OptionArg(Category.INITIALIZER), "glorot_uniform",
                "Default initializer of weights (biases start at zero).");
        setting(r, "batch", new ArgType.IntArg(1, 1 << 16), 32L, "Examples per training step.");
        setting(r, "epochs", new ArgType.IntArg(1, 1_000_000), 10L, "Passes over the training data.");
        setting(r, "weight_decay", NON_NEGATIVE_REAL, 0.0, "L2 penalty coefficient on weights.");
        setting(r, "l1", NON_NEGATIVE_REAL, 0.0, "L1 penalty coefficient on weights.");
        setting(r, "clip_norm", POSITIVE_REAL, null, "Rescale gradients whose global L2 norm exceeds this (off by default).");
        setting(r, "clip_value", POSITIVE_REAL, null, "Clamp every gradient element to [-v, v] (off by default).");
        setting(r, "validation_split", PROBABILITY, 0.0, "Fraction of the training data held out for validation.");
        setting(r, "seed", new ArgType.IntArg(0, Long.MAX_VALUE), 42L, "Seed of initialization, shuffling, dropout and augmentation.");
        setting(r, "nan", oneOf("stop", "skip", "ignore"), "stop", "What a step with a NaN or infinite loss or gradient does to training.");

        r.add(new OptionSpec("early_stop", Category.DIRECTIVE, List.of(
                opt("monitor", oneOf("val_loss", "val_accuracy", "loss", "accuracy"), "val_loss", "the metric watched"),
                opt("patience", POSITIVE_INT, 5L, "epochs without improvement before stopping"),
                opt("min_delta", NON_NEGATIVE_REAL, 0.0, "smallest change that counts as an improvement"),
                opt("restore_best", BOOL, true, "restore the best parameters when stopping")),
                "Stops training when the monitored metric stops improving."));
        r.add(new OptionSpec("freeze", Category.DIRECTIVE, List.of(
                req("value", new ArgType.ValueNameArg(), "a value of the network (or a named layer); every parameter it depends on stays fixed")),
                "Keeps the parameters of part of the network fixed (transfer learning)."));
        r.add(new OptionSpec("load_weights", Category.DIRECTIVE, List.of(
                req("path", STRING, "a safetensors checkpoint"),
                opt("strict", BOOL, true, "fail when a parameter is missing from the file or a tensor of the file is no parameter"),
                opt("map", STRING, null, "renaming rules `from=to, ...`: tensors whose names start with `from` load into the parameters named with `to` instead")),
                "Starts from saved parameters instead of the initializer (transfer learning, fine-tuning)."));

        optimizer(r, "sgd", "Stochastic gradient descent, with optional (Nesterov) momentum.",
                opt("lr", POSITIVE_REAL, 0.01, "learning rate"),
                opt("momentum", PROBABILITY, 0.0, "momentum coefficient"),
                opt("nesterov", BOOL, false, "use Nesterov momentum"));
        optimizer(r, "momentum", "SGD with momentum (PyTorch's formulation).",
                opt("lr", POSITIVE_REAL, 0.01, "learning rate"),
                opt("momentum", PROBABILITY, 0.9, "momentum coefficient"),
                opt("nesterov", BOOL, false, "use Nesterov momentum"));
        optimizer(r, "adagrad", "Adagrad: per-parameter rates from the sum of squared gradients.",
                opt("lr", POSITIVE_REAL, 0.01, "learning rate"),
                opt("eps", POSITIVE_REAL, 1e-10, "added to the denominator"));
        optimizer(r, "rmsprop", "RMSprop: rates from a moving average of squared gradients.",
                opt("lr", POSITIVE_REAL, 0.01, "learning rate"),
                opt("alpha", UNIT_INTERVAL_OPEN, 0.99, "smoothing constant"),
                opt("eps", POSITIVE_REAL, 1e-8, "added to the denominator"),
                opt("momentum", PROBABILITY, 0.0, "momentum coefficient"));
        optimizer(r, "adam", "Adam with bias correction.",
                opt("lr", POSITIVE_REAL, 1e-3, "learning rate"),
                opt("beta1", UNIT_INTERVAL_OPEN, 0.9, "decay of the first moment"),
                opt("beta2", UNIT_INTERVAL_OPEN, 0.999, "decay of the second moment"),
                opt("eps", POSITIVE_REAL, 1e-8, "added to the denominator"));

        schedule(r, "constant", "The optimizer's learning rate throughout.");
        schedule(r, "linear_decay", "Decays linearly from the optimizer's rate to `floor` at `over`, then stays there.",
                req("over", DURATION, "when the floor is reached (τ)"),
                opt("floor", NON_NEGATIVE_REAL, 0.0, "the final learning rate"));
        schedule(r, "step_decay", "Multiplies the rate by `factor` every `every`.",
                req("every", DURATION, "interval between decays"),
                opt("factor", UNIT_INTERVAL_OPEN, 0.5, "multiplier applied at each decay"));
        schedule(r, "cyclical", "Cyclical learning rate between `min_lr` and `max_lr`.",
                req("min_lr", POSITIVE_REAL, "lower bound"),
                req("max_lr", POSITIVE_REAL, "upper bound"),
                req("half_cycle", DURATION, "length of one rise or fall"),
                opt("mode", oneOf("triangular", "triangular2"), "triangular", "triangular2 halves the amplitude every cycle"));
        schedule(r, "cosine", "Cosine annealing with warm restarts (SGDR).",
                req("restart_every", DURATION, "length of the first cycle"),
                opt("min_lr", NON_NEGATIVE_REAL, 0.0, "the rate at the end of a cycle"),
                opt("multiplier", POSITIVE_INT, 1L, "each cycle is this many times longer than the last"));
        schedule(r, "lr_range_test", "Grows the rate exponentially from `start` to `end` to find a good one.",
                opt("start", POSITIVE_REAL, 1e-7, "first learning rate"),
                opt("end", POSITIVE_REAL, 10.0, "last learning rate"),
                opt("over", DURATION, new Duration(100, "steps"), "length of the test"));

        initializer(r, "zeros", "All zeros.");
        initializer(r, "ones", "All ones.");
        initializer(r, "uniform", "Uniform in [-scale, scale].", opt("scale", POSITIVE_REAL, 0.05, "half-width"));
        initializer(r, "normal", "Normal with mean 0.", opt("std", POSITIVE_REAL, 0.05, "standard deviation"));
        initializer(r, "glorot_uniform", "Glorot (Xavier) uniform: ±sqrt(6 / (fan_in + fan_out)).");
        initializer(r, "glorot_normal", "Glorot (Xavier) normal: std sqrt(2 / (fan_in + fan_out)).");
        initializer(r, "xavier_uniform", "Another name for glorot_uniform.");
        initializer(r, "xavier_normal", "Another name for glorot_normal.");
        initializer(r, "he_uniform", "He (Kaiming) uniform: ±sqrt(6 / fan_in), for ReLU networks.");
        initializer(r, "he_normal", "He (Kaiming) normal: std sqrt(2 / fan_in), for ReLU networks.");

        augmentation(r, "flip_horizontal", "Mirrors images left to right with probability 0.5.");
        augmentation(r, "flip_vertical", "Mirrors images top to bottom with probability 0.5.");
        augmentation(r, "shift", "Shifts images by up to `pixels` in each direction, filling with zeros.",
                opt("pixels", POSITIVE_INT, 2L, "largest shift"));
        augmentation(r, "rotate", "Rotates images by up to `degrees` either way.",
                opt("degrees", POSITIVE_REAL, 10.0, "largest rotation"));
        augmentation(r, "noise", "Adds Gaussian noise.", opt("stddev", POSITIVE_REAL, 0.05, "standard deviation"));
    }

    private static void setting(Registry.Builder r, String name, ArgType type, Object defaultValue, String summary) {
        r.add(new OptionSpec(name, Category.SETTING, List.of(opt(VALUE, type, defaultValue, summary)), summary));
    }

    private static void optimizer(Registry.Builder r, String name, String summary, ParamSpec... params) {
        r.add(new OptionSpec(name, Category.OPTIMIZER, List.of(params), summary));
    }

    private static void schedule(Registry.Builder r, String name, String summary, ParamSpec... params) {
        r.add(new OptionSpec(name, Category.SCHEDULE, List.of(params), summary));
    }

    private static void initializer(Registry.Builder r, String name, String summary, ParamSpec... params) {
        r.add(new OptionSpec(name, Category.INITIALIZER, List.of(params), summary));
    }

    private static void augmentation(Registry.Builder r, String name, String summary, ParamSpec... params) {
        r.add(new OptionSpec(name, Category.AUGMENTATION, List.of(params), summary));
    }
}
