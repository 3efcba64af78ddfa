package org.dnnc.compiler.passes;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.dnnc.compiler.ir.Activation;
import org.dnnc.compiler.ir.ActivationKind;
import org.dnnc.compiler.ir.BatchNormFoldBias;
import org.dnnc.compiler.ir.BatchNormFoldWeight;
import org.dnnc.compiler.ir.BatchNormInference;
import org.dnnc.compiler.ir.BiasAdd;
import org.dnnc.compiler.ir.Conv2d;
import org.dnnc.compiler.ir.ConvBiasActivation;
import org.dnnc.compiler.ir.Graph;
import org.dnnc.compiler.ir.IrTypeException;
import org.dnnc.compiler.ir.Node;
import org.dnnc.compiler.ir.Op;

/**
 * Folds inference batchnorm into the convolution before it: {@code conv2d [-> bias_add] ->
 * batchnorm_inference [-> activation]} becomes one {@code conv2d_bias_<activation>} call whose
 * kernel and bias are the batchnorm-scaled ones ({@code bn_fold_weight}, {@code bn_fold_bias},
 * cheap per-channel work computed from the current parameters). Only intermediates read by
 * nothing else are folded. Training programs normalize with batch statistics, except in frozen
 * layers, whose {@code batchnorm_inference} folds as in inference when nothing else reads the
 * convolution's result (nothing trained lies before it).
 */
public final class BatchNormFolding implements Pass, Explaining {

    @Override
    public String name() {
        return "fold-batchnorm";
    }

    @Override
    public String description() {
        return "Folds inference batchnorm (and a following activation) into the preceding conv2d.";
    }

    @Override
    public Graph run(Graph graph) {
        Uses uses = new Uses(graph);
        Map<Integer, Node> byId = new HashMap<>();
        graph.nodes().forEach(n -> byId.put(n.id(), n));
        int nextId = graph.nodes().stream().mapToInt(Node::id).max().orElse(-1) + 1;
        Set<Integer> absorbed = new HashSet<>();
        Map<Integer, List<Node>> replacement = new HashMap<>();
        for (int i = graph.nodes().size() - 1; i >= 0; i--) {
            Node last = graph.nodes().get(i);
            Node bn = last;
            ActivationKind kind = ActivationKind.IDENTITY;
            double alpha = 0;
            if (last.op() instanceof Activation a && byId.get(last.inputs().get(0)).op() instanceof BatchNormInference
                    && uses.once(last.inputs().get(0))) {
                bn = byId.get(last.inputs().get(0));
                kind = a.kind();
                alpha = a.alpha();
            }
            if (!(bn.op() instanceof BatchNormInference norm) || absorbed.contains(bn.id())
                    || replacement.containsKey(bn.id())) {
                continue;
            }
            Node z = byId.get(bn.inputs().get(0));
            Node bias = null;
            if (z.op() instanceof BiasAdd b && b.axis() == 1 && uses.once(z.id())) {
                bias = z;
                z = byId.get(z.inputs().get(0));
            }
            if (!(z.op() instanceof Conv2d conv) || !uses.once(z.id())) {
                continue;
            }
            List<Integer> stats = bn.inputs().subList(1, 5);
            List<Integer> biasOperands = new ArrayList<>();
            if (bias != null) {
                biasOperands.add(bias.inputs().get(1));
            }
            biasOperands.addAll(stats);
            try {
                Node weight = node(nextId++, new BatchNormFoldWeight(norm.eps()),
                        List.of(z.inputs().get(1), stats.get(0), stats.get(3)), z, byId);
                Node folded = node(nextId++, new BatchNormFoldBias(norm.eps(), bias != null), biasOperands, bn, byId);
                Node fused = new Node(last.id(), new ConvBiasActivation(conv, kind, alpha),
                        List.of(z.inputs().get(0), weight.id(), folded.id()), last.type(), z.origin());
                replacement.put(last.id(), List.of(weight, folded, fused));
            } catch (IrTypeException e) {
                throw new IllegalStateException("folding batchnorm built an ill-typed node: " + e.getMessage(), e);
            }
            absorbed.add(z.id());
            if (bias != null) {
                absorbed.add(bias.id());
            }
            if (bn != last) {
                absorbed.add(bn.id());
            }
        }
        List<Node> nodes = new ArrayList<>();
        for (Node n : graph.nodes()) {
            if (!absorbed.contains(n.id())) {
                nodes.addAll(replacement.getOrDefault(n.id(), List.of(n)));
            }
        }
        return new Graph(graph.name(), nodes, graph.outputs());
    }

    @Override
    public List<String> explain(Graph graph) {
        Uses uses = new Uses(graph);
        Map<Integer, Node> byId = new HashMap<>();
        graph.nodes().forEach(n -> byId.put(n.id(), n));
        List<String> lines = new ArrayList<>();
        for (Node n : graph.nodes()) {
            if (n.op() instanceof org.dnnc.compiler.ir.BatchNorm) {
                lines.add("batchnorm %" + n.id() + " not folded: training normalizes with batch statistics");
            } else if (n.op() instanceof BatchNormInference) {
                Node z = byId.get(n.inputs().get(0));
                if (!(z.op() instanceof Conv2d) && !(z.op() instanceof BiasAdd)) {
                    lines.add("batchnorm_inference %" + n.id() + " not folded: its input comes from " + z.op().mnemonic()
                            + " %" + z.id() + ", not a convolution");
                } else if (!uses.once(z.id())) {
                    lines.add("batchnorm_inference %" + n.id() + " not folded: " + z.op().mnemonic() + " %" + z.id()
                            + " is also read by " + uses.readers(z.id()));
                }
            }
        }
        return lines;
    }

    private static Node node(int id, Op op, List<Integer> inputs, Node at, Map<Integer, Node> byId)
            throws IrTypeException {
        var type = op.inferType(inputs.stream().map(k -> byId.get(k).type()).toList());
        return new Node(id, op, inputs, type, at.origin());
    }
}
