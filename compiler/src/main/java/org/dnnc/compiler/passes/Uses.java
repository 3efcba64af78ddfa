package org.dnnc.compiler.passes;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.dnnc.compiler.ir.Graph;
import org.dnnc.compiler.ir.Node;

/** How many times each value is read, counting each graph output as a read. */
final class Uses {
    private final Graph graph;
    private final Map<Integer, Integer> counts;
    private final Map<Integer, List<String>> outputNames = new HashMap<>();

    Uses(Graph graph) {
        this.graph = graph;
        this.counts = new HashMap<>(2 * graph.nodes().size());
        for (Node n : graph.nodes()) {
            for (int input : n.inputs()) {
                counts.merge(input, 1, Integer::sum);
            }
        }
        graph.outputs().forEach((name, output) -> {
            counts.merge(output, 1, Integer::sum);
            outputNames.computeIfAbsent(output, k -> new ArrayList<>()).add(name);
        });
    }

    /** Who reads {@code id}, for explanations: {@code %20 matmul_grad_weight, the output logits}. */
    String readers(int id) {
        List<String> names = new ArrayList<>();
        for (Node n : graph.users(id)) {
            for (int input : n.inputs()) {
                if (input == id) {
                    names.add("%" + n.id() + " " + n.op().mnemonic());
                }
            }
        }
        outputNames.getOrDefault(id, List.of()).forEach(name -> names.add("the output " + name));
        return String.join(", ", names);
    }

    /** Whether {@code id} is read exactly once, so that its only reader may absorb it. */
    boolean once(int id) {
        return counts.getOrDefault(id, 0) == 1;
    }
}
