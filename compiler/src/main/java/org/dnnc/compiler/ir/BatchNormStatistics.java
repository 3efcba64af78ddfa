package org.dnnc.compiler.ir;

import java.util.List;
import java.util.Optional;

/**
 * Which training batch normalization a gradient's call takes its batch statistics from. A training
 * {@link BatchNorm} or {@link BatchNormReluMaxPool} computes each channel's mean and {@code 1 /
 * sqrt(var + eps)} over the batch; a target may save them for the gradients' call, which otherwise
 * recomputes them with another pass over x. The gradients ({@link BatchNormGradInput}, {@link
 * BatchNormGradGamma}, {@link BatchNormReluMaxPoolGrad}) name x, and where they have it gamma, but
 * not the forward node: its result is not among their operands. The forward is the one training
 * normalization of that x (with that gamma); where x feeds two, a gradient without gamma matches
 * neither and recomputes.
 */
public final class BatchNormStatistics {
    private BatchNormStatistics() {}

    /** The training normalization whose statistics {@code gradient} reads, if it is such a gradient and one matches. */
    public static Optional<Node> forwardOf(Graph graph, Node gradient) {
        Op op = gradient.op();
        if (!(op instanceof BatchNormGradInput || op instanceof BatchNormGradGamma
                || op instanceof BatchNormReluMaxPoolGrad)) {
            return Optional.empty();
        }
        // BatchNormGradGamma's operands are dy and x only.
        Integer gamma = op instanceof BatchNormGradGamma ? null : gradient.inputs().get(2);
        int x = gradient.inputs().get(1);
        List<Node> forwards = graph.users(x).stream()
                .filter(f -> isTraining(f) && f.inputs().get(0) == x
                        && (gamma == null || f.inputs().get(1).equals(gamma)))
                .distinct()
                .toList();
        return forwards.size() == 1 ? Optional.of(forwards.get(0)) : Optional.empty();
    }

    /** The gradients whose call reads the statistics of {@code forward}; none unless it is a training normalization. */
    public static List<Node> readersOf(Graph graph, Node forward) {
        if (!isTraining(forward)) {
            return List.of();
        }
        return graph.users(forward.inputs().get(0)).stream()
                .filter(g -> forwardOf(graph, g).map(f -> f.id() == forward.id()).orElse(false))
                .distinct()
                .toList();
    }

    /** Whether {@code n} normalizes with the statistics of its batch. */
    public static boolean isTraining(Node n) {
        return n.op() instanceof BatchNorm || n.op() instanceof BatchNormReluMaxPool;
    }
}
