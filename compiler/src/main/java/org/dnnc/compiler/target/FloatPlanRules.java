package org.dnnc.compiler.target;

import org.dnnc.compiler.ir.Graph;
import org.dnnc.compiler.ir.Node;
import org.dnnc.compiler.memory.PlanRules;

/**
 * Plan rules of a target whose scratch and saved sizes are counted in floats, as both runtimes'
 * kernels state them.
 *
 * @param alignment offsets and sizes are multiples of this many bytes
 * @param maxArenaBytes the largest arena the target allocates
 * @param scratch floats of scratch a node's call needs
 * @param saved floats a node's call saves for its gradient's
 */
record FloatPlanRules(int alignment, long maxArenaBytes, Floats scratch, Floats saved) implements PlanRules {

    /** Floats a node's call needs, for batches of at most {@code batch}. */
    interface Floats {
        long of(Graph graph, Node n, int batch);
    }

    @Override
    public long scratchBytes(Graph graph, Node n, int batch) {
        return 4 * scratch.of(graph, n, batch);
    }

    @Override
    public long savedBytes(Graph graph, Node n, int batch) {
        return 4 * saved.of(graph, n, batch);
    }
}
