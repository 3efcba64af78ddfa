package org.dnnc.compiler.passes;

import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.dnnc.compiler.ir.Graph;
import org.dnnc.compiler.ir.Node;

/**
 * Removes every node that no output depends on, unused inputs and parameters included, so that
 * the generated code neither computes nor allocates them. Survivors keep their ids and order.
 */
public final class DeadCodeElimination implements Pass {

    @Override
    public String name() {
        return "dce";
    }

    @Override
    public String description() {
        return "Removes the nodes, parameters and inputs that no output depends on.";
    }

    @Override
    public Graph run(Graph graph) {
        Set<Integer> live = new HashSet<>(graph.outputs().values());
        List<Node> nodes = graph.nodes();
        // Users come after their operands, so one backward sweep finds every live node.
        for (int i = nodes.size() - 1; i >= 0; i--) {
            Node node = nodes.get(i);
            if (live.contains(node.id())) {
                live.addAll(node.inputs());
            }
        }
        List<Node> kept = nodes.stream().filter(n -> live.contains(n.id())).toList();
        return new Graph(graph.name(), kept, graph.outputs());
    }
}
