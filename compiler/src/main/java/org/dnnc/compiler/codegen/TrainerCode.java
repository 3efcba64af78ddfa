package org.dnnc.compiler.codegen;

import com.palantir.javapoet.ClassName;
import com.palantir.javapoet.CodeBlock;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.dnnc.compiler.ir.Origin;
import org.dnnc.compiler.sema.Args;
import org.dnnc.compiler.sema.Duration;
import org.dnnc.compiler.sema.Option;
import org.dnnc.compiler.sema.TrainConfig;

/**
 * The train section's loop settings as code that configures the runtime's {@code Trainer}:
 * epochs, batch, seed, the base learning rate and its schedule, the validation split and early
 * stopping.
 */
final class TrainerCode {
    private static final ClassName TRAINER = ClassName.get("org.dnnc.runtime.train", "Trainer");
    private static final ClassName LEARNING_RATE = ClassName.get("org.dnnc.runtime.train", "LearningRate");
    private static final ClassName SPAN = ClassName.get("org.dnnc.runtime.train", "Span");
    private static final ClassName EARLY_STOPPING = ClassName.get("org.dnnc.runtime.train", "EarlyStopping");
    private static final ClassName METRIC = ClassName.get("org.dnnc.runtime.train", "Metric");
    private static final ClassName NON_FINITE = ClassName.get("org.dnnc.runtime.train", "NonFinite");
    private static final ClassName AUGMENTATION = ClassName.get("org.dnnc.runtime.data", "Augmentation");

    private TrainerCode() {}

    static ClassName trainerType() {
        return TRAINER;
    }

    /**
     * {@code Trainer.builder().epochs(10)...}, without the final {@code build()}. The batch is left
     * to the network's {@code maxBatch()}: the train section's, unless its builder chose fewer.
     */
    static CodeBlock builder(TrainConfig config, double learningRate, String features) throws CodegenException {
        CodeBlock.Builder code = CodeBlock.builder().add("$T.builder()", TRAINER).indent()
                .add("\n.epochs(EPOCHS)\n.seed($LL)\n.learningRate(LEARNING_RATE)", seed(config))
                .add("\n.schedule($L)", schedule(config.schedule()));
        Object nan = config.settings().get("nan");
        if (nan instanceof String policy && !policy.equals("stop")) {
            code.add("\n.onNonFinite($T.$L)", NON_FINITE, policy.toUpperCase(Locale.ROOT));
        }
        Object split = config.settings().get("validation_split");
        if (split instanceof Number fraction && fraction.doubleValue() > 0) {
            code.add("\n.validationSplit($L)", fraction.doubleValue());
        }
        for (Option directive : config.directives()) {
            if (directive.name().equals("early_stop")) {
                Args a = directive.args();
                code.add("\n.earlyStopping(new $T($T.parse($S), $L, $L, $L))", EARLY_STOPPING, METRIC,
                        a.has("monitor") ? a.string("monitor") : "val_loss", a.has("patience") ? a.integer("patience") : 5,
                        a.has("min_delta") ? a.real("min_delta") : 0.0, !a.has("restore_best") || a.bool("restore_best"));
            }
        }
        for (var entry : config.augment().entrySet()) {
            if (!entry.getKey().equals(features)) {
                throw new CodegenException("augmenting `" + entry.getKey() + "` is not supported: generated trainers"
                        + (features == null ? " augment a network's only float input, and this network has another input"
                                : " augment the features input `" + features + "` only"),
                        new Origin(entry.getValue().get(0).span(), ""));
            }
            List<CodeBlock> stages = new ArrayList<>();
            for (Option stage : entry.getValue()) {
                stages.add(augmentation(stage));
            }
            code.add("\n.augment($L)", CodeBlock.join(stages, ", "));
        }
        return code.unindent().build();
    }

    private static CodeBlock augmentation(Option stage) {
        Args a = stage.args();
        return switch (stage.name()) {
            case "flip_horizontal" -> CodeBlock.of("new $T.FlipHorizontal()", AUGMENTATION);
            case "flip_vertical" -> CodeBlock.of("new $T.FlipVertical()", AUGMENTATION);
            case "shift" -> CodeBlock.of("new $T.Shift($L)", AUGMENTATION, a.has("pixels") ? a.integer("pixels") : 2);
            case "rotate" -> CodeBlock.of("new $T.Rotate($L)", AUGMENTATION, real(a, "degrees", 10));
            default -> CodeBlock.of("new $T.Noise($L)", AUGMENTATION, real(a, "stddev", 0.05));
        };
    }

    static long seed(TrainConfig config) {
        Object v = config.settings().get("seed");
        return v instanceof Number n ? n.longValue() : 42;
    }

    static CodeBlock schedule(Option schedule) {
        if (schedule == null) {
            return CodeBlock.of("new $T.Constant()", LEARNING_RATE);
        }
        Args a = schedule.args();
        return switch (schedule.name()) {
            case "linear_decay" -> CodeBlock.of("new $T.LinearDecay($L, $L)", LEARNING_RATE, span(a.duration("over")),
                    real(a, "floor", 0));
            case "step_decay" -> CodeBlock.of("new $T.StepDecay($L, $L)", LEARNING_RATE, span(a.duration("every")),
                    real(a, "factor", 0.5));
            case "cyclical" -> CodeBlock.of("new $T.Cyclical($L, $L, $L, $T.Cyclical.Mode.$L)", LEARNING_RATE,
                    a.real("min_lr"), a.real("max_lr"), span(a.duration("half_cycle")), LEARNING_RATE,
                    a.has("mode") && a.string("mode").equals("triangular2") ? "TRIANGULAR2" : "TRIANGULAR");
            case "cosine" -> CodeBlock.of("new $T.Cosine($L, $L, $L)", LEARNING_RATE, span(a.duration("restart_every")),
                    real(a, "min_lr", 0), a.has("multiplier") ? a.integer("multiplier") : 1);
            case "lr_range_test" -> CodeBlock.of("new $T.RangeTest($L, $L, $L)", LEARNING_RATE, real(a, "start", 1e-7),
                    real(a, "end", 10), a.has("over") ? span(a.duration("over")) : CodeBlock.of("$T.steps(100)", SPAN));
            default -> CodeBlock.of("new $T.Constant()", LEARNING_RATE);
        };
    }

    private static double real(Args a, String name, double fallback) {
        return a.has(name) ? a.real(name) : fallback;
    }

    private static CodeBlock span(Duration d) {
        return CodeBlock.of("$T.$L($LL)", SPAN, d.unit().startsWith("epoch") ? "epochs" : "steps", d.amount());
    }
}
