package org.dnnc.compiler.passes;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.dnnc.compiler.ir.Activation;
import org.dnnc.compiler.ir.ActivationGrad;
import org.dnnc.compiler.ir.ActivationKind;
import org.dnnc.compiler.ir.BatchNorm;
import org.dnnc.compiler.ir.BatchNormGradGamma;
import org.dnnc.compiler.ir.BatchNormGradInput;
import org.dnnc.compiler.ir.BatchNormReluGradBeta;
import org.dnnc.compiler.ir.BiasGrad;
import org.dnnc.compiler.ir.Graph;
import org.dnnc.compiler.ir.Node;

/**
 * Fuses a training batch normalization with the ReLU after it, forward and backward. Forward,
 * {@code batchnorm -> relu} becomes one {@code batchnorm_relu}, which writes {@code max(bn(x), 0)}
 * in the normalization's own pass. Backward, the ReLU's gradient {@code relu_grad(dy, y)} is not
 * materialized: the batchnorm gradients read dy and y and apply the mask {@code y > 0} inside
 * their own passes ({@code batchnorm_relu_grad_input}, {@code _grad_gamma}, {@code _grad_beta}),
 * which the code generator then computes in one call. A batchnorm whose result is read by anything
 * but the ReLU is left alone, as is a ReLU gradient read by anything but the batchnorm gradients.
 */
public final class BatchNormReluFusion implements Pass, Explaining {

    @Override
    public String name() {
        return "fuse-batchnorm-relu";
    }

    @Override
    public String description() {
        return "Fuses training batchnorm with a following ReLU, and their gradients, into single passes.";
    }

    @Override
    public Graph run(Graph graph) {
        Uses uses = new Uses(graph);
        Map<Integer, Node> byId = new HashMap<>();
        graph.nodes().forEach(n -> byId.put(n.id(), n));
        Map<Integer, Node> replacement = new HashMap<>();
        Set<Integer> removed = new HashSet<>();
        Set<Integer> fused = new HashSet<>();
        for (Node n : graph.nodes()) {
            if (isRelu(n) && byId.get(n.inputs().get(0)).op() instanceof BatchNorm bn && !bn.relu()
                    && uses.once(n.inputs().get(0))) {
                Node norm = byId.get(n.inputs().get(0));
                replacement.put(n.id(), new Node(n.id(), new BatchNorm(bn.eps(), bn.momentum(), true, bn.residual()), norm.inputs(),
                        n.type(), norm.origin()));
                removed.add(norm.id());
                fused.add(n.id());
            }
        }
        Map<Integer, List<Node>> readers = readers(graph);
        Set<Integer> outputs = new HashSet<>(graph.outputs().values());
        for (Node d : graph.nodes()) {
            if (!(d.op() instanceof ActivationGrad a) || a.kind() != ActivationKind.RELU
                    || !fused.contains(d.inputs().get(1))) {
                continue;
            }
            int dy = d.inputs().get(0);
            int y = d.inputs().get(1);
            boolean everyReaderRewritten = !outputs.contains(d.id());
            for (Node r : readers.getOrDefault(d.id(), List.of())) {
                Node rewritten = rewrite(r, d.id(), dy, y, d.type().rank());
                if (rewritten == null) {
                    everyReaderRewritten = false;
                } else {
                    replacement.put(r.id(), rewritten);
                }
            }
            if (everyReaderRewritten) {
                removed.add(d.id());
            }
        }
        List<Node> nodes = new ArrayList<>();
        for (Node n : graph.nodes()) {
            if (!removed.contains(n.id())) {
                nodes.add(replacement.getOrDefault(n.id(), n));
            }
        }
        return new Graph(graph.name(), nodes, graph.outputs());
    }

    /** The masked form of a batchnorm gradient node that reads the ReLU's gradient, or null. */
    private static Node rewrite(Node r, int reluGrad, int dy, int y, int rank) {
        if (r.inputs().get(0) != reluGrad || r.inputs().lastIndexOf(reluGrad) != 0) {
            return null;
        }
        if (r.op() instanceof BatchNormGradInput g && !g.relu()) {
            return new Node(r.id(), new BatchNormGradInput(g.eps(), true),
                    List.of(dy, r.inputs().get(1), r.inputs().get(2), y), r.type(), r.origin());
        }
        if (r.op() instanceof BatchNormGradGamma g && !g.relu()) {
            return new Node(r.id(), new BatchNormGradGamma(g.eps(), true), List.of(dy, r.inputs().get(1), y), r.type(),
                    r.origin());
        }
        if (r.op() instanceof BiasGrad b && (b.axis() == 1 || b.axis() == -1 && rank == 2)) {
            return new Node(r.id(), new BatchNormReluGradBeta(), List.of(dy, y), r.type(), r.origin());
        }
        return null;
    }

    @Override
    public List<String> explain(Graph graph) {
        Uses uses = new Uses(graph);
        Map<Integer, Node> byId = new HashMap<>();
        graph.nodes().forEach(n -> byId.put(n.id(), n));
        List<String> lines = new ArrayList<>();
        for (Node n : graph.nodes()) {
            if (isRelu(n) && byId.get(n.inputs().get(0)).op() instanceof BatchNorm && !uses.once(n.inputs().get(0))) {
                lines.add("batchnorm %" + n.inputs().get(0) + " not fused with relu %" + n.id()
                        + ": its result is also read by " + uses.readers(n.inputs().get(0)));
            }
        }
        return lines;
    }

    private static boolean isRelu(Node n) {
        return n.op() instanceof Activation a && a.kind() == ActivationKind.RELU;
    }

    private static Map<Integer, List<Node>> readers(Graph graph) {
        Map<Integer, List<Node>> readers = new HashMap<>();
        for (Node n : graph.nodes()) {
            for (int input : n.inputs()) {
                readers.computeIfAbsent(input, k -> new ArrayList<>()).add(n);
            }
        }
        return readers;
    }
}
