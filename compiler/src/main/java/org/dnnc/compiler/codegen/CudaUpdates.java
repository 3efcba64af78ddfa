package org.dnnc.compiler.codegen;

import com.palantir.javapoet.ClassName;
import com.palantir.javapoet.CodeBlock;
import java.util.List;

/**
 * The optimizer's update on the CUDA target: the calls of {@code CudaOptimizers}, twins of those
 * {@link Optimizer} emits for the CPU. What changes from step to step (Adam's bias corrections,
 * momentum's first step) is computed on the device by the step's gate ({@code CudaOptimizers.gate})
 * into the view {@code scalars}, from the device's step counter and the learning rate delivered with
 * the batch, so that the captured step replays with each step's values; every update reads the
 * gate's flag {@code apply} and does nothing in a step the gate skips.
 */
final class CudaUpdates {
    private static final ClassName OPTIMIZERS = ClassName.get("org.dnnc.runtime.cuda", "CudaOptimizers");

    private CudaUpdates() {}

    /** The floats of {@code scalars}, as the {@code CudaOptimizers.*Scalars} method of the optimizer returns them. */
    static int scalarCount(Optimizer o) {
        return switch (kind(o)) {
            case "momentum", "adam" -> 2;
            default -> 1;
        };
    }

    /** The gate's arguments that choose the scalars it computes: the kind, then Adam's betas (or zeros). */
    static CodeBlock stepScalars(Optimizer o) {
        return switch (kind(o)) {
            case "momentum" -> CodeBlock.of("$T.StepScalars.MOMENTUM, 0f, 0f", OPTIMIZERS);
            case "adam" -> CodeBlock.of("$T.StepScalars.ADAM, /* beta1 */ $Lf, /* beta2 */ $Lf", OPTIMIZERS,
                    (float) o.beta1(), (float) o.beta2());
            default -> CodeBlock.of("$T.StepScalars.SGD, 0f, 0f", OPTIMIZERS);
        };
    }

    /** The update of one parameter, each literal hyperparameter named in a comment, as the CPU's. */
    static CodeBlock update(Optimizer o, String param, String grad, List<String> state, int count) {
        return switch (kind(o)) {
            case "momentum" -> CodeBlock.of("$T.momentum(ctx, $L, $L, $L, $L, scalars, apply, /* momentum */ $Lf, "
                    + "/* dampening */ 0f, /* nesterov */ $L, /* weight decay */ $Lf, /* l1 */ $Lf)", OPTIMIZERS, param,
                    grad, state.get(0), count, (float) o.momentum(), o.nesterov(), (float) o.weightDecay(),
                    (float) o.l1());
            case "adam" -> CodeBlock.of("$T.adam(ctx, $L, $L, $L, $L, $L, scalars, apply, /* beta1 */ $Lf, /* beta2 */ $Lf, "
                    + "/* eps */ $Lf, /* weight decay */ $Lf, /* l1 */ $Lf)", OPTIMIZERS, param, grad, state.get(0),
                    state.get(1), count, (float) o.beta1(), (float) o.beta2(), (float) o.eps(), (float) o.weightDecay(),
                    (float) o.l1());
            case "adagrad" -> CodeBlock.of("$T.adagrad(ctx, $L, $L, $L, $L, scalars, apply, /* eps */ $Lf, "
                    + "/* weight decay */ $Lf, /* l1 */ $Lf)", OPTIMIZERS, param, grad, state.get(0), count,
                    (float) o.eps(), (float) o.weightDecay(), (float) o.l1());
            case "rmsprop" -> o.momentum() > 0
                    ? CodeBlock.of("$T.rmspropMomentum(ctx, $L, $L, $L, $L, $L, scalars, apply, /* alpha */ $Lf, "
                    + "/* eps */ $Lf, /* momentum */ $Lf, /* weight decay */ $Lf, /* l1 */ $Lf)", OPTIMIZERS, param, grad, state.get(0),
                    state.get(1), count, (float) o.alpha(), (float) o.eps(), (float) o.momentum(),
                    (float) o.weightDecay(), (float) o.l1())
                    : CodeBlock.of("$T.rmsprop(ctx, $L, $L, $L, $L, scalars, apply, /* alpha */ $Lf, /* eps */ $Lf, "
                    + "/* weight decay */ $Lf, /* l1 */ $Lf)", OPTIMIZERS, param, grad, state.get(0), count,
                    (float) o.alpha(), (float) o.eps(), (float) o.weightDecay(), (float) o.l1());
            default -> CodeBlock.of("$T.sgd(ctx, $L, $L, $L, scalars, apply, /* weight decay */ $Lf, /* l1 */ $Lf)",
                    OPTIMIZERS, param, grad, count, (float) o.weightDecay(), (float) o.l1());
        };
    }

    /** The optimizer as the update calls name it: SGD with momentum is the momentum optimizer, as on the CPU. */
    private static String kind(Optimizer o) {
        return o.stateNames().equals(List.of("velocity")) ? "momentum" : o.name();
    }
}
