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

    /** Bytes of working memory the call of {@code n} needs while it runs; 0 for most ops. */
    long scratchBytes(Graph graph, Node n);

    /** The largest arena the target can allocate, in bytes: a plan beyond it cannot run. */
    long maxArenaBytes();

    /** {@code bytes} rounded up to {@link #alignment()}. */
    default long align(long bytes) {
        long a = alignment();
        return (bytes + a - 1) / a * a;
    }
}
