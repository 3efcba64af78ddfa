package org.dnnc.compiler.passes;

import java.util.HashMap;
import java.util.Map;
import org.dnnc.compiler.ir.Graph;
import org.dnnc.compiler.ir.Node;

/** How many times each value is read, counting each graph output as a read. */
final class Uses {
    private final Map<Integer, Integer> counts = new HashMap<>();

    Uses(Graph graph) {
        for (Node n : graph.nodes()) {
            for (int input : n.inputs()) {
                counts.merge(input, 1, Integer::sum);
            }
        }
        for (int output : graph.outputs().values()) {
            counts.merge(output, 1, Integer::sum);
        }
    }

    /** Whether {@code id} is read exactly once, so that its only reader may absorb it. */
    boolean once(int id) {
        return counts.getOrDefault(id, 0) == 1;
    }
}
