package org.dnnc.compiler.passes;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;
import org.dnnc.compiler.ir.Graph;
import org.dnnc.compiler.ir.Layout;
import org.dnnc.compiler.ir.Node;

/**
 * Keeps the activations between convolutions, training batch norms, pooling and global average
 * pooling in oneDNN's blocked {@link Layout#NCHW16C}, so that their runtime calls read and write it
 * without a reorder on each call. Must run last: a pass that rebuilds the graph drops its layouts.
 *
 * <p>Values that one runtime call reads or writes in one layout form a class ({@link
 * LayoutRules#linked}): a batchnorm's input, result and residual; the operands and results of its
 * gradients, which one call computes (see {@code CallGroups}); the input of a batchnorm fused with
 * ReLU and max pooling and its input gradient; the operands and result of an element-wise node. A
 * class is blocked only when every member is eligible: f32 {@code [N,C,H,W]} with C a multiple of
 * 16, no graph output, made by a call that can write it blocked, and read only where calls take
 * either layout. A convolution's input and output, and its gradients' operands, may each have their
 * own layout, as may the pooled result of a fused max pooling and its gradient. Any other reader (a
 * bias add, unfused pooling, flatten) keeps the class in NCHW, as do inputs and parameters.
 */
public final class LayoutAssignment implements Pass, Explaining {

    @Override
    public String name() {
        return "assign-layouts";
    }

    @Override
    public String description() {
        return "Keeps activations between convolutions, batch norms and pooling in oneDNN's nChw16c.";
    }

    @Override
    public Graph run(Graph graph) {
        LayoutRules rules = new LayoutRules(graph);
        Map<Integer, Layout> layouts = new HashMap<>();
        classes(graph, rules).forEach(members -> {
            if (members.stream().allMatch(id -> whyNot(graph, rules, id).isEmpty())) {
                members.forEach(id -> layouts.put(id, Layout.NCHW16C));
            }
        });
        return graph.withLayouts(layouts);
    }

    /** One line per class that would be blocked but for a member, naming it and why. */
    @Override
    public List<String> explain(Graph graph) {
        LayoutRules rules = new LayoutRules(graph);
        List<String> lines = new ArrayList<>();
        for (List<Integer> members : classes(graph, rules)) {
            if (members.stream().noneMatch(id -> fits(graph.node(id)) && LayoutRules.call(graph.node(id)))) {
                continue;
            }
            members.stream().flatMap(id -> whyNot(graph, rules, id).map(why -> "%" + id + " " + why).stream()).findFirst()
                    .ifPresent(why -> lines.add(members.stream().map(id -> "%" + id).collect(Collectors.joining(", "))
                            + " kept nchw: " + why));
        }
        return lines;
    }

    /** The classes of values that share a layout, each in schedule order, in the order of their first members. */
    private static List<List<Integer>> classes(Graph graph, LayoutRules rules) {
        Map<Integer, Integer> parent = new HashMap<>();
        for (Node n : graph.nodes()) {
            List<Integer> linked = rules.linked(n);
            for (int i = 1; i < linked.size(); i++) {
                union(parent, linked.get(0), linked.get(i));
            }
        }
        Map<Integer, List<Integer>> byRoot = new LinkedHashMap<>();
        for (Node n : graph.nodes()) {
            byRoot.computeIfAbsent(find(parent, n.id()), k -> new ArrayList<>()).add(n.id());
        }
        return List.copyOf(byRoot.values());
    }

    /** Why value {@code id} cannot be blocked, or empty if it can. */
    private static Optional<String> whyNot(Graph graph, LayoutRules rules, int id) {
        Node n = graph.node(id);
        if (!fits(n)) {
            return Optional.of("is " + n.type() + ", not f32 [N,C,H,W] with C a multiple of " + Layout.BLOCK);
        }
        if (!rules.writesEitherLayout(n)) {
            return Optional.of("is made by " + n.op().mnemonic() + ", which writes nchw only");
        }
        if (graph.outputs().containsValue(id)) {
            return Optional.of("is an output of the program");
        }
        for (Node user : graph.users(id)) {
            for (int i = 0; i < user.inputs().size(); i++) {
                if (user.inputs().get(i) == id && !rules.readsEitherLayout(user, i)) {
                    return Optional.of("is read by %" + user.id() + " " + user.op().mnemonic() + ", which reads nchw only");
                }
            }
        }
        return Optional.empty();
    }

    private static boolean fits(Node n) {
        return Layout.NCHW16C.fits(n.type());
    }

    private static int find(Map<Integer, Integer> parent, int id) {
        int root = id;
        while (parent.getOrDefault(root, root) != root) {
            root = parent.get(root);
        }
        parent.put(id, root);
        return root;
    }

    private static void union(Map<Integer, Integer> parent, int a, int b) {
        int ra = find(parent, a);
        int rb = find(parent, b);
        if (ra != rb) {
            parent.put(rb, ra);
        }
    }
}
