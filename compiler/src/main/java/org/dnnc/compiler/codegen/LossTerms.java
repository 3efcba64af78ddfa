package org.dnnc.compiler.codegen;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.dnnc.compiler.ir.BceWithLogits;
import org.dnnc.compiler.ir.CrossEntropy;
import org.dnnc.compiler.ir.Graph;
import org.dnnc.compiler.ir.MseLoss;
import org.dnnc.compiler.ir.Node;
import org.dnnc.compiler.ir.Op;

/** The losses a training loss is built from: itself, or each term of a weighted sum, in schedule order. */
final class LossTerms {
    private static final Set<Class<? extends Op>> LOSSES = Set.of(CrossEntropy.class, MseLoss.class, BceWithLogits.class);

    private LossTerms() {}

    static List<Node> of(Graph graph, Node loss) {
        Set<Integer> seen = new HashSet<>();
        Deque<Node> pending = new ArrayDeque<>(List.of(loss));
        while (!pending.isEmpty()) {
            Node n = pending.pop();
            if (seen.add(n.id()) && !LOSSES.contains(n.op().getClass())) {
                n.inputs().forEach(id -> pending.push(graph.node(id)));
            }
        }
        return graph.nodes().stream().filter(n -> seen.contains(n.id()) && LOSSES.contains(n.op().getClass())).toList();
    }
}
