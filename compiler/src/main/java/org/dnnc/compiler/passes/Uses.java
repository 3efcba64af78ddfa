package org.dnnc.compiler.passes;

import java.util.HashMap;
import java.util.Map;
import org.dnnc.compiler.ir.Graph;
import org.dnnc.compiler.ir.Node;

/** How many times each value is read, counting each graph output as a read. */
final class Uses {
    private final Map<Integer, Integer> counts = new HashMap<>();
    private final Map<Integer, java.util.List<String>> readers = new HashMap<>();

    Uses(Graph graph) {
        for (Node n : graph.nodes()) {
            for (int input : n.inputs()) {
                counts.merge(input, 1, Integer::sum);
                readers.computeIfAbsent(input, k -> new java.util.ArrayList<>()).add("%" + n.id() + " " + n.op().mnemonic());
            }
        }
        graph.outputs().forEach((name, output) -> {
            counts.merge(output, 1, Integer::sum);
            readers.computeIfAbsent(output, k -> new java.util.ArrayList<>()).add("the output " + name);
        });
    }

    /** Who reads {@code id}, for explanations: {@code %20 matmul_grad_weight, the output logits}. */
    String readers(int id) {
        return String.join(", ", readers.getOrDefault(id, java.util.List.of()));
    }

    /** Whether {@code id} is read exactly once, so that its only reader may absorb it. */
    boolean once(int id) {
        return counts.getOrDefault(id, 0) == 1;
    }
}
