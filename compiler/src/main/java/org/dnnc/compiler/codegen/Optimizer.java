package org.dnnc.compiler.codegen;

import com.palantir.javapoet.CodeBlock;
import java.util.List;
import org.dnnc.compiler.sema.Option;

/**
 * The update of the train section's optimizer: its hyperparameters as constants, and the state it
 * keeps per parameter (Adam's two moments, a momentum velocity, ...).
 */
record Optimizer(String name, double learningRate, double momentum, boolean nesterov, double alpha, double eps,
        double beta1, double beta2, double weightDecay, double l1) {

    static Optimizer of(Option option, double weightDecay, double l1) {
        String name = option.name();
        double momentum = real(option, "momentum", name.equals("momentum") ? 0.9 : 0.0);
        return new Optimizer(name, real(option, "lr", name.equals("adam") ? 1e-3 : 0.01), momentum,
                option.args().has("nesterov") && option.args().bool("nesterov"), real(option, "alpha", 0.99),
                real(option, "eps", name.equals("adagrad") ? 1e-10 : 1e-8), real(option, "beta1", 0.9),
                real(option, "beta2", 0.999), weightDecay, l1);
    }

    private static double real(Option option, String arg, double fallback) {
        return option.args().has(arg) ? option.args().real(arg) : fallback;
    }

    /** Plain SGD with momentum is the momentum optimizer. */
    private boolean usesVelocity() {
        return name.equals("momentum") || (name.equals("sgd") && momentum > 0);
    }

    /** Field-name prefixes of the state kept per parameter. */
    List<String> stateNames() {
        if (usesVelocity()) {
            return List.of("velocity");
        }
        return switch (name) {
            case "adam" -> List.of("m", "v");
            case "adagrad" -> List.of("sum");
            case "rmsprop" -> momentum > 0 ? List.of("square", "momentumBuffer") : List.of("square");
            default -> List.of();
        };
    }

    /**
     * The names of {@link #stateNames()} in checkpoints ({@code optimizer.adam.m.<parameter>}):
     * the same, in snake case as PyTorch spells its state.
     */
    List<String> checkpointSlots() {
        return stateNames().stream().map(s -> s.replaceAll("([A-Z])", "_$1").toLowerCase(java.util.Locale.ROOT)).toList();
    }

    /** The update call, each literal hyperparameter named in a comment. */
    CodeBlock update(String param, String grad, List<String> state, int count) {
        if (usesVelocity()) {
            return CodeBlock.of("$T.momentum($L, $L, $L, $L, lr, /* momentum */ $Lf, /* dampening */ 0f, "
                    + "/* nesterov */ $L, /* weight decay */ $Lf, /* l1 */ $Lf, steps)", RuntimeNames.OPTIMIZERS,
                    param, grad, state.get(0), count, (float) momentum, nesterov, (float) weightDecay, (float) l1);
        }
        return switch (name) {
            case "adam" -> CodeBlock.of("$T.adam($L, $L, $L, $L, $L, lr, /* beta1 */ $Lf, /* beta2 */ $Lf, /* eps */ $Lf, "
                    + "/* weight decay */ $Lf, /* l1 */ $Lf, steps)",
                    RuntimeNames.OPTIMIZERS, param, grad, state.get(0), state.get(1), count, (float) beta1, (float) beta2,
                    (float) eps, (float) weightDecay, (float) l1);
            case "adagrad" -> CodeBlock.of("$T.adagrad($L, $L, $L, $L, lr, /* eps */ $Lf, /* weight decay */ $Lf, "
                    + "/* l1 */ $Lf)", RuntimeNames.OPTIMIZERS,
                    param, grad, state.get(0), count, (float) eps, (float) weightDecay, (float) l1);
            case "rmsprop" -> momentum > 0
                    ? CodeBlock.of("$T.rmspropMomentum($L, $L, $L, $L, $L, lr, /* alpha */ $Lf, /* eps */ $Lf, "
                    + "/* momentum */ $Lf, /* weight decay */ $Lf, /* l1 */ $Lf)", RuntimeNames.OPTIMIZERS,
                    param, grad, state.get(0), state.get(1), count, (float) alpha, (float) eps, (float) momentum,
                    (float) weightDecay, (float) l1)
                    : CodeBlock.of("$T.rmsprop($L, $L, $L, $L, lr, /* alpha */ $Lf, /* eps */ $Lf, "
                    + "/* weight decay */ $Lf, /* l1 */ $Lf)", RuntimeNames.OPTIMIZERS,
                    param, grad, state.get(0), count, (float) alpha, (float) eps, (float) weightDecay, (float) l1);
            default -> CodeBlock.of("$T.sgd($L, $L, $L, lr, /* weight decay */ $Lf, /* l1 */ $Lf)", RuntimeNames.OPTIMIZERS,
                    param, grad, count, (float) weightDecay, (float) l1);
        };
    }

    String describe() {
        return "Optimizer: " + name + " (learning rate per step from the caller"
                + (weightDecay > 0 ? ", weight decay " + weightDecay : "") + (l1 > 0 ? ", L1 " + l1 : "") + ")";
    }
}
