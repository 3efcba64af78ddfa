package org.dnnc.compiler.codegen;

import java.util.Locale;
import org.dnnc.compiler.autodiff.Program;
import org.dnnc.compiler.ir.Origin;
import org.dnnc.compiler.lowering.Lowering;
import org.dnnc.compiler.lowering.LoweredProgram;

/**
 * Refuses a network whose arenas its target cannot allocate: the workspace its programs share, and
 * its parameters with their optimizer state. Both are known only once the programs are planned, so
 * this is an error of code generation, at the network, rather than a class that fails when built.
 */
final class ArenaLimits {
    private ArenaLimits() {}

    /**
     * @param parameterBytes the parameter arena, optimizer state included
     * @param states the optimizer's values per trainable parameter beside the parameter itself
     */
    static void check(Lowering lowering, long parameterBytes, int states) throws CodegenException {
        long max = lowering.target().memory().maxArenaBytes();
        String network = "network `" + lowering.model().name() + "`";
        Origin origin = new Origin(lowering.model().span(), "");
        for (Program.Kind kind : Program.Kind.values()) {
            LoweredProgram program = lowering.program(kind).orElse(null);
            if (program != null && program.plan().arenaBytes() > max) {
                throw new CodegenException(String.format(Locale.ROOT,
                        "%s needs a workspace of %,d bytes for its %s program at a batch of %d; one arena holds at most"
                                + " %,d bytes: %smake the layers smaller", network, program.plan().arenaBytes(),
                        describe(kind), program.plan().batch(), max,
                        lowering.model().train().declared() ? "lower the train section's `batch`, or " : ""), origin);
            }
        }
        if (parameterBytes > max) {
            throw new CodegenException(String.format(Locale.ROOT,
                    "%s needs %,d bytes for its parameters%s; one arena holds at most %,d bytes: make the layers smaller",
                    network, parameterBytes, states == 0 ? "" : " and their optimizer state (" + states
                            + (states == 1 ? " value" : " values") + " per parameter)", max), origin);
        }
    }

    private static String describe(Program.Kind kind) {
        return switch (kind) {
            case TRAIN -> "training";
            case EVALUATE -> "evaluation";
            case INFER -> "inference";
        };
    }
}
