package org.dnnc.compiler.codegen;

import com.palantir.javapoet.ClassName;
import com.palantir.javapoet.CodeBlock;
import java.util.List;

/**
 * The optimizer's update on the CUDA target: the calls of {@code CudaOptimizers}, twins of those
 * {@link Optimizer} emits for the CPU. What changes from step to step (the learning rate, Adam's
 * bias corrections, momentum's first step) is uploaded into the device view {@code scalars} before
 * the update runs, so that the captured update replays with each step's values.
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

    /** The host array of this step's scalars, from the locals {@code lr} and {@code step}. */
    static CodeBlock scalars(Optimizer o) {
        return switch (kind(o)) {
            case "momentum" -> CodeBlock.of("$T.momentumScalars(lr, step)", OPTIMIZERS);
            case "adam" -> CodeBlock.of("$T.adamScalars(lr, $Lf, $Lf, step)", OPTIMIZERS, (float) o.beta1(),
                    (float) o.beta2());
            default -> CodeBlock.of("$T.sgdScalars(lr)", OPTIMIZERS);
        };
    }

    /** The update of one parameter, each literal hyperparameter named in a comment, as the CPU's. */
    static CodeBlock update(Optimizer o, String param, String grad, List<String> state, int count) {
        return switch (kind(o)) {
            case "momentum" -> CodeBlock.of("$T.momentum(ctx, $L, $L, $L, $L, scalars, /* momentum */ $Lf, "
                    + "/* dampening */ 0f, /* nesterov */ $L, /* weight decay */ $Lf, /* l1 */ $Lf)", OPTIMIZERS, param,
                    grad, state.get(0), count, (float) o.momentum(), o.nesterov(), (float) o.weightDecay(),
                    (float) o.l1());
            case "adam" -> CodeBlock.of("$T.adam(ctx, $L, $L, $L, $L, $L, scalars, /* beta1 */ $Lf, /* beta2 */ $Lf, "
                    + "/* eps */ $Lf, /* weight decay */ $Lf, /* l1 */ $Lf)", OPTIMIZERS, param, grad, state.get(0),
                    state.get(1), count, (float) o.beta1(), (float) o.beta2(), (float) o.eps(), (float) o.weightDecay(),
                    (float) o.l1());
            case "adagrad" -> CodeBlock.of("$T.adagrad(ctx, $L, $L, $L, $L, scalars, /* eps */ $Lf, "
                    + "/* weight decay */ $Lf, /* l1 */ $Lf)", OPTIMIZERS, param, grad, state.get(0), count,
                    (float) o.eps(), (float) o.weightDecay(), (float) o.l1());
            case "rmsprop" -> o.momentum() > 0
                    ? CodeBlock.of("$T.rmspropMomentum(ctx, $L, $L, $L, $L, $L, scalars, /* alpha */ $Lf, /* eps */ $Lf, "
                    + "/* momentum */ $Lf, /* weight decay */ $Lf, /* l1 */ $Lf)", OPTIMIZERS, param, grad, state.get(0),
                    state.get(1), count, (float) o.alpha(), (float) o.eps(), (float) o.momentum(),
                    (float) o.weightDecay(), (float) o.l1())
                    : CodeBlock.of("$T.rmsprop(ctx, $L, $L, $L, $L, scalars, /* alpha */ $Lf, /* eps */ $Lf, "
                    + "/* weight decay */ $Lf, /* l1 */ $Lf)", OPTIMIZERS, param, grad, state.get(0), count,
                    (float) o.alpha(), (float) o.eps(), (float) o.weightDecay(), (float) o.l1());
            default -> CodeBlock.of("$T.sgd(ctx, $L, $L, $L, scalars, /* weight decay */ $Lf, /* l1 */ $Lf)",
                    OPTIMIZERS, param, grad, count, (float) o.weightDecay(), (float) o.l1());
        };
    }

    /** The optimizer as the update calls name it: SGD with momentum is the momentum optimizer, as on the CPU. */
    private static String kind(Optimizer o) {
        return o.stateNames().equals(List.of("velocity")) ? "momentum" : o.name();
    }
}
