package org.dnnc.compiler.lowering;

import java.util.Objects;
import org.dnnc.compiler.autodiff.Program;
import org.dnnc.compiler.ir.Graph;
import org.dnnc.compiler.memory.MemoryPlan;

/**
 * One of a network's programs, ready to emit: the graph before the target's passes (for dumps of a
 * single stage), after them, and its memory plan at the batch the generated class runs it with.
 *
 * @param source the program as differentiation or inference stripping left it, before any pass
 * @param graph  the program the generated class runs
 * @param plan   where each of {@code graph}'s values lives
 */
public record LoweredProgram(Program.Kind kind, Graph source, Graph graph, MemoryPlan plan) {

    public LoweredProgram {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(graph, "graph");
        Objects.requireNonNull(plan, "plan");
    }
}
