package org.dnnc.compiler.memory;

import org.dnnc.compiler.ir.Graph;
import org.dnnc.compiler.ir.Node;

/**
 * What the planner needs to know of the machine a program will run on: how values must be aligned,
 * and how much working memory each call takes beside its operands and result. A target supplies
 * them; the planner itself knows no device.
 */
public interface PlanRules {

    /** Offsets and sizes are multiples of this many bytes (a power of two). */
    int alignment();

    /**
     * Bytes of working memory the call of {@code n} needs while it runs, for batches of at most
     * {@code batch} examples; 0 for most ops.
     */
    long scratchBytes(Graph graph, Node n, int batch);

    /**
     * Bytes that the call of {@code n} writes for the calls of its gradient to read, for batches of
     * at most {@code batch} examples, which the planner keeps as long as {@code n}'s value (those
     * calls read the value too), or for a training batchnorm until the last call that reads its
     * statistics ({@link org.dnnc.compiler.ir.BatchNormStatistics}); 0 for most ops.
     */
    default long savedBytes(Graph graph, Node n, int batch) {
        return 0;
    }

    /** The largest arena the target can allocate, in bytes: a plan beyond it cannot run. */
    long maxArenaBytes();

    /** {@code bytes} rounded up to {@link #alignment()}. */
    default long align(long bytes) {
        long a = alignment();
        return (bytes + a - 1) / a * a;
    }
}
