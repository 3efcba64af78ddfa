package org.dnnc.compiler.lowering;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.dnnc.compiler.autodiff.Differentiator;
import org.dnnc.compiler.ir.EmbeddingGrad;
import org.dnnc.compiler.ir.Graph;
import org.dnnc.compiler.ir.Node;
import org.dnnc.compiler.sema.Option;
import org.dnnc.compiler.sema.TrainConfig;

/**
 * Marks an embedding table's gradient {@link EmbeddingGrad#sparse() sparse} when the training step
 * may touch only the rows of the batch's ids and still compute exactly what the dense gradient
 * would. That holds when the optimizer leaves a row whose gradient is zero unchanged, which of the
 * train section's optimizers only plain {@code sgd} does (no momentum, no {@code weight_decay}, no
 * {@code l1}): momentum, Adagrad, RMSprop and Adam keep state that moves every row, and weight
 * decay pulls every row. Clipping keeps zeros zero, and the norm of the other rows is zero.
 *
 * <p>Only a gradient that is the table's whole gradient qualifies: the embedding gradient itself is
 * a gradient output of the program and nothing else reads it (a table that another layer also
 * reads sums several gradients, which stay dense).
 */
final class SparseEmbeddingGradients {
    private SparseEmbeddingGradients() {}

    /** {@code train} with its qualifying embedding gradients marked sparse, or {@code train} when none qualify. */
    static Graph mark(Graph train, TrainConfig config) {
        if (!leavesZeroRowsUnchanged(config)) {
            return train;
        }
        // How often each value is an output, and whether it is a gradient output.
        Map<Integer, Integer> outputs = new HashMap<>();
        Map<Integer, Boolean> gradients = new HashMap<>();
        train.outputs().forEach((name, id) -> {
            outputs.merge(id, 1, Integer::sum);
            gradients.put(id, name.startsWith(Differentiator.GRADIENT_PREFIX));
        });
        List<Node> nodes = new ArrayList<>(train.nodes().size());
        boolean changed = false;
        for (Node n : train.nodes()) {
            if (n.op() instanceof EmbeddingGrad g && !g.sparse() && outputs.getOrDefault(n.id(), 0) == 1
                    && gradients.get(n.id()) && train.users(n.id()).isEmpty()) {
                nodes.add(new Node(n.id(), new EmbeddingGrad(g.vocab(), true), n.inputs(), n.type(), n.origin()));
                changed = true;
            } else {
                nodes.add(n);
            }
        }
        return changed ? new Graph(train.name(), nodes, train.outputs()) : train;
    }

    /** Plain SGD: an update {@code p -= lr * g} that a zero {@code g} leaves as it was. */
    static boolean leavesZeroRowsUnchanged(TrainConfig config) {
        Option optimizer = config.optimizer();
        boolean momentum = optimizer.args().has("momentum") && optimizer.args().real("momentum") > 0;
        return optimizer.name().equals("sgd") && !momentum && setting(config, "weight_decay") == 0
                && setting(config, "l1") == 0;
    }

    private static double setting(TrainConfig config, String name) {
        return config.settings().get(name) instanceof Number n ? n.doubleValue() : 0;
    }
}
