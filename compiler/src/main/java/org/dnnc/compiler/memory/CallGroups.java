package org.dnnc.compiler.memory;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.dnnc.compiler.ir.AdditiveAttentionGrad;
import org.dnnc.compiler.ir.AttentionDecoderGrad;
import org.dnnc.compiler.ir.BatchNormGradGamma;
import org.dnnc.compiler.ir.BatchNormGradInput;
import org.dnnc.compiler.ir.BatchNormReluGradBeta;
import org.dnnc.compiler.ir.BatchNormReluMaxPoolGrad;
import org.dnnc.compiler.ir.BiasGrad;
import org.dnnc.compiler.ir.Constant;
import org.dnnc.compiler.ir.CrossEntropy;
import org.dnnc.compiler.ir.CrossEntropyGrad;
import org.dnnc.compiler.ir.Graph;
import org.dnnc.compiler.ir.Node;
import org.dnnc.compiler.ir.RecurrentGrad;

/**
 * Nodes that one runtime call computes together. The gradients of a batch normalization with
 * respect to its input, gamma and beta share their expensive part (the sums over dy and x̂), so
 * one kernel computes all three in two passes over memory where three calls would take five. A
 * softmax cross-entropy and its gradient share the softmax, which one call computes once. The
 * gradients of a recurrent layer with respect to its input, weights and biases come from one pass
 * back through time, which one call makes; so do those of an attention or a decoder.
 *
 * <p>A group is called at its first member's place in the schedule. For that to be safe the
 * planner treats every member's result as live from that place, and every member's operands as
 * live until the last member's place (see {@link Liveness}).
 */
public final class CallGroups {
    private final Map<Integer, List<Node>> byLeader = new LinkedHashMap<>();
    private final Map<Integer, Integer> leaderOf = new LinkedHashMap<>();

    private CallGroups() {}

    /**
     * The groups of {@code graph}: the batchnorm backward nodes that share their dy and x (or, fused
     * with max pooling, all their operands), a
     * cross-entropy with its gradient, and the gradients of one recurrent layer or attention.
     */
    public static CallGroups of(Graph graph) {
        CallGroups groups = new CallGroups();
        Map<String, List<Node>> byKey = new LinkedHashMap<>();
        for (Node n : graph.nodes()) {
            if (n.op() instanceof BatchNormGradInput g) {
                byKey.computeIfAbsent(key(n, g.relu()), k -> new ArrayList<>()).add(n);
            } else if (n.op() instanceof BatchNormGradGamma g) {
                byKey.computeIfAbsent(key(n, g.relu()), k -> new ArrayList<>()).add(n);
            }
        }
        // The gradients of a batchnorm fused with ReLU and max pooling share all their operands.
        Map<String, List<Node>> pooled = new LinkedHashMap<>();
        for (Node n : graph.nodes()) {
            if (n.op() instanceof BatchNormReluMaxPoolGrad) {
                pooled.computeIfAbsent(n.inputs().toString(), k -> new ArrayList<>()).add(n);
            }
        }
        // The groups of each dy and ReLU flag, so that a beta gradient finds its own without a search.
        Map<String, List<List<Node>>> byDy = new LinkedHashMap<>();
        byKey.forEach((key, members) -> byDy.computeIfAbsent(key.substring(0, key.lastIndexOf('/')),
                k -> new ArrayList<>()).add(members));
        for (Node n : graph.nodes()) {
            String key = betaKey(graph, n);
            if (key == null) {
                continue;
            }
            // Any group of this dy will do: each beta gradient is the same sum of dy.
            byDy.getOrDefault(key, List.of()).stream()
                    .filter(members -> members.stream().noneMatch(CallGroups::isBeta))
                    .findFirst().ifPresent(members -> members.add(n));
        }
        for (Node n : graph.nodes()) {
            if (n.op() instanceof CrossEntropy) {
                String key = "ce/" + n.inputs().get(0) + "/" + n.inputs().get(1);
                byKey.computeIfAbsent(key, k -> new ArrayList<>()).add(n);
            }
        }
        for (Node n : graph.nodes()) {
            // Only a gradient seeded with the constant 1 can be computed before its seed's place.
            if (n.op() instanceof CrossEntropyGrad && graph.node(n.inputs().get(2)).op() instanceof Constant c
                    && c.value() == 1) {
                List<Node> loss = byKey.get("ce/" + n.inputs().get(0) + "/" + n.inputs().get(1));
                if (loss != null && loss.size() == 1) {
                    loss.add(n);
                }
            }
        }
        Map<Integer, Integer> position = new LinkedHashMap<>();
        for (int i = 0; i < graph.nodes().size(); i++) {
            position.put(graph.nodes().get(i).id(), i);
        }
        for (List<Node> members : byKey.values()) {
            if (members.size() < 2 || count(members, BatchNormGradInput.class) > 1
                    || count(members, BatchNormGradGamma.class) > 1 || members.size() > 3) {
                continue;
            }
            groups.add(members, position);
        }
        for (List<Node> members : pooled.values()) {
            if (members.size() > 1) {
                groups.add(members, position);
            }
        }
        // A recurrent layer's (an attention's) gradients all read its result, which identifies it.
        Map<Integer, List<Node>> byLayer = new LinkedHashMap<>();
        for (Node n : graph.nodes()) {
            if (n.op() instanceof RecurrentGrad || n.op() instanceof AdditiveAttentionGrad
                    || n.op() instanceof AttentionDecoderGrad) {
                byLayer.computeIfAbsent(n.inputs().get(1), k -> new ArrayList<>()).add(n);
            }
        }
        for (List<Node> members : byLayer.values()) {
            if (members.size() > 1) {
                groups.add(members, position);
            }
        }
        return groups;
    }

    private void add(List<Node> members, Map<Integer, Integer> position) {
        members.sort((a, b) -> Integer.compare(position.get(a.id()), position.get(b.id())));
        int leader = members.get(0).id();
        byLeader.put(leader, List.copyOf(members));
        members.forEach(m -> leaderOf.put(m.id(), leader));
    }

    /** The members of the group {@code id} leads, in schedule order, or an empty list. */
    public List<Node> ledBy(int id) {
        return byLeader.getOrDefault(id, List.of());
    }

    /** Whether {@code id} belongs to a group whose call another node makes. */
    public boolean follows(int id) {
        Integer leader = leaderOf.get(id);
        return leader != null && leader != id;
    }

    /** Every group, each in schedule order. */
    public List<List<Node>> all() {
        return List.copyOf(byLeader.values());
    }

    /** dy, whether the gradient goes through a fused ReLU, and x. */
    private static String key(Node n, boolean relu) {
        return n.inputs().get(0) + "/" + relu + "/" + n.inputs().get(1);
    }

    /** The key of the group whose beta gradient {@code n} computes, or null. */
    private static String betaKey(Graph graph, Node n) {
        if (n.op() instanceof BatchNormReluGradBeta) {
            return n.inputs().get(0) + "/true";
        }
        if (n.op() instanceof BiasGrad b) {
            int rank = graph.node(n.inputs().get(0)).type().rank();
            return b.axis() == 1 || b.axis() == -1 && rank == 2 ? n.inputs().get(0) + "/false" : null;
        }
        return null;
    }

    /** Whether {@code n} is a group's beta gradient (a sum of dy, which does not read x). */
    public static boolean isBeta(Node n) {
        return n.op() instanceof BatchNormReluGradBeta || n.op() instanceof BiasGrad;
    }

    private static long count(List<Node> members, Class<?> kind) {
        return members.stream().filter(m -> kind.isInstance(m.op())).count();
    }
}
