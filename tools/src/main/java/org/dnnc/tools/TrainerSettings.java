package org.dnnc.tools;

import org.dnnc.compiler.sema.Args;
import org.dnnc.compiler.sema.Duration;
import org.dnnc.compiler.sema.Option;
import org.dnnc.compiler.sema.TrainConfig;
import org.dnnc.runtime.train.EarlyStopping;
import org.dnnc.runtime.train.LearningRate;
import org.dnnc.runtime.train.Metric;
import org.dnnc.runtime.train.Span;
import org.dnnc.runtime.train.Trainer;

/** The train section's loop settings (epochs, seed, schedule, validation, early stopping) as a runtime {@link Trainer}. */
final class TrainerSettings {
    private TrainerSettings() {}

    static Trainer.Builder from(TrainConfig config, int batch, double learningRate, int epochs) {
        Trainer.Builder b = Trainer.builder().epochs(epochs).batch(batch).learningRate(learningRate)
                .seed(((Number) config.settings().getOrDefault("seed", 42L)).longValue())
                .schedule(schedule(config.schedule()));
        Object split = config.settings().get("validation_split");
        if (split instanceof Number fraction && fraction.doubleValue() > 0) {
            b.validationSplit(fraction.doubleValue());
        }
        for (Option directive : config.directives()) {
            if (directive.name().equals("early_stop")) {
                Args a = directive.args();
                b.earlyStopping(new EarlyStopping(Metric.parse(a.has("monitor") ? a.string("monitor") : "val_loss"),
                        a.has("patience") ? a.integer("patience") : 5, a.has("min_delta") ? a.real("min_delta") : 0,
                        !a.has("restore_best") || a.bool("restore_best")));
            }
        }
        return b;
    }

    static LearningRate schedule(Option schedule) {
        if (schedule == null) {
            return new LearningRate.Constant();
        }
        Args a = schedule.args();
        return switch (schedule.name()) {
            case "linear_decay" -> new LearningRate.LinearDecay(span(a.duration("over")), real(a, "floor", 0));
            case "step_decay" -> new LearningRate.StepDecay(span(a.duration("every")), real(a, "factor", 0.5));
            case "cyclical" -> new LearningRate.Cyclical(a.real("min_lr"), a.real("max_lr"), span(a.duration("half_cycle")),
                    a.has("mode") && a.string("mode").equals("triangular2")
                            ? LearningRate.Cyclical.Mode.TRIANGULAR2 : LearningRate.Cyclical.Mode.TRIANGULAR);
            case "cosine" -> new LearningRate.Cosine(span(a.duration("restart_every")), real(a, "min_lr", 0),
                    a.has("multiplier") ? a.integer("multiplier") : 1);
            case "lr_range_test" -> new LearningRate.RangeTest(real(a, "start", 1e-7), real(a, "end", 10),
                    a.has("over") ? span(a.duration("over")) : Span.steps(100));
            default -> new LearningRate.Constant();
        };
    }

    private static double real(Args a, String name, double fallback) {
        return a.has(name) ? a.real(name) : fallback;
    }

    private static Span span(Duration d) {
        return d.unit().startsWith("epoch") ? Span.epochs(d.amount()) : Span.steps(d.amount());
    }
}
