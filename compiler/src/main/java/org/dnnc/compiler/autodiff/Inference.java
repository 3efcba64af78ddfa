package org.dnnc.compiler.autodiff;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.dnnc.compiler.ir.BatchNorm;
import org.dnnc.compiler.ir.BatchNormInference;
import org.dnnc.compiler.ir.Dropout;
import org.dnnc.compiler.ir.Graph;
import org.dnnc.compiler.ir.Node;
import org.dnnc.compiler.passes.DeadCodeElimination;

/**
 * The programs that do not train: the declared outputs only (inference), or with the loss too
 * (evaluation). Dropout is the identity (masks were scaled during training) and batchnorm uses its
 * running statistics; without the loss, everything only it needs, such as the label input, is
 * dropped as well.
 */
public final class Inference {
    private Inference() {}

    /** The declared outputs only, for predictions. */
    public static Program of(Graph forward) {
        return strip(forward, false);
    }

    /** The declared outputs and the loss, without dropout: for measuring validation loss and accuracy. */
    public static Program evaluation(Graph forward) {
        return strip(forward, true);
    }

    private static Program strip(Graph forward, boolean keepLoss) {
        Map<Integer, Integer> replaced = new LinkedHashMap<>();
        var nodes = new java.util.ArrayList<Node>();
        for (Node n : forward.nodes()) {
            List<Integer> inputs = n.inputs().stream().map(id -> replaced.getOrDefault(id, id)).toList();
            if (n.op() instanceof Dropout) {
                replaced.put(n.id(), inputs.get(0));
                continue;
            }
            if (n.op() instanceof BatchNorm bn) {
                // Inference normalizes with the running statistics gathered in training.
                nodes.add(new Node(n.id(), new BatchNormInference(bn.eps()), inputs, n.type(), n.origin()));
                continue;
            }
            nodes.add(new Node(n.id(), n.op(), inputs, n.type(), n.origin()));
        }
        Map<String, Integer> outputs = new LinkedHashMap<>();
        forward.outputs().forEach((name, id) -> {
            if (keepLoss || !name.equals(Differentiator.LOSS)) {
                outputs.put(name, replaced.getOrDefault(id, id));
            }
        });
        Graph pruned = new DeadCodeElimination().run(new Graph(forward.name(), nodes, outputs));
        return new Program(keepLoss ? Program.Kind.EVALUATE : Program.Kind.INFER, pruned, Map.of());
    }
}
