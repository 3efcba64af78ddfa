package org.dnnc.compiler.autodiff;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.function.Predicate;
import org.dnnc.compiler.ir.BatchNorm;
import org.dnnc.compiler.ir.BatchNormInference;
import org.dnnc.compiler.ir.Graph;
import org.dnnc.compiler.ir.Node;
import org.dnnc.compiler.ir.Param;
import org.dnnc.compiler.sema.TrainConfig;

/**
 * What {@code freeze(value)} does to training. The frozen parameters (every one the value depends
 * on, see {@link TrainConfig#frozen()}) get no gradient, and the batch norms among them normalize
 * with their running statistics, which then stay as they are, as PyTorch's {@code eval()} on a
 * frozen body does: a layer that does not learn keeps computing what it computed when it was saved.
 * Gradients still flow through frozen layers to trained ones before them; where nothing before a
 * frozen layer trains, the differentiator computes no gradient for it at all.
 */
public final class Frozen {
    private Frozen() {}

    /** Accepts the names of the parameters that training may change. */
    public static Predicate<String> trainable(TrainConfig train) {
        Set<String> frozen = train.frozen();
        return name -> !frozen.contains(name);
    }

    /** The forward graph that training differentiates: {@code forward} with frozen batch norms in inference mode. */
    public static Graph forward(Graph forward, TrainConfig train) {
        if (train.frozen().isEmpty()) {
            return forward;
        }
        List<Node> nodes = new ArrayList<>();
        for (Node n : forward.nodes()) {
            if (n.op() instanceof BatchNorm bn && !bn.relu() && frozen(n, forward, train.frozen())) {
                nodes.add(new Node(n.id(), new BatchNormInference(bn.eps()), n.inputs(), n.type(), n.origin()));
            } else {
                nodes.add(n);
            }
        }
        return new Graph(forward.name(), nodes, forward.outputs());
    }

    /** Whether the batch norm's gamma, beta and running statistics are all frozen. */
    private static boolean frozen(Node batchNorm, Graph graph, Set<String> frozen) {
        return batchNorm.inputs().subList(1, 5).stream().map(graph::node)
                .allMatch(p -> p.op() instanceof Param param && frozen.contains(param.name()));
    }
}
