package org.dnnc.compiler.autodiff;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.dnnc.compiler.ir.Dropout;
import org.dnnc.compiler.ir.Graph;
import org.dnnc.compiler.ir.Node;
import org.dnnc.compiler.passes.DeadCodeElimination;

/**
 * The inference program: the declared outputs only. Dropout is the identity at inference (masks
 * were scaled during training), and the loss with everything only it needs, such as the label
 * input, is dropped.
 */
public final class Inference {
    private Inference() {}

    public static Program of(Graph forward) {
        Map<Integer, Integer> replaced = new LinkedHashMap<>();
        var nodes = new java.util.ArrayList<Node>();
        for (Node n : forward.nodes()) {
            List<Integer> inputs = n.inputs().stream().map(id -> replaced.getOrDefault(id, id)).toList();
            if (n.op() instanceof Dropout) {
                replaced.put(n.id(), inputs.get(0));
                continue;
            }
            nodes.add(new Node(n.id(), n.op(), inputs, n.type(), n.origin()));
        }
        Map<String, Integer> outputs = new LinkedHashMap<>();
        forward.outputs().forEach((name, id) -> {
            if (!name.equals(Differentiator.LOSS)) {
                outputs.put(name, replaced.getOrDefault(id, id));
            }
        });
        Graph pruned = new DeadCodeElimination().run(new Graph(forward.name(), nodes, outputs));
        return new Program(Program.Kind.INFER, pruned, Map.of());
    }
}
