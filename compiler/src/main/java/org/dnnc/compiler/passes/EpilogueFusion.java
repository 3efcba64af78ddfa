package org.dnnc.compiler.passes;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.dnnc.compiler.ir.Activation;
import org.dnnc.compiler.ir.ActivationKind;
import org.dnnc.compiler.ir.Graph;
import org.dnnc.compiler.ir.Node;
import org.dnnc.compiler.ir.Op;

/**
 * Fuses {@code producer -> bias_add -> activation} (and {@code producer -> bias_add}) into one node
 * whose kernel adds the bias and applies the activation in its epilogue, while the result is still
 * in cache. Only intermediates read by nothing else are absorbed; the fused node keeps the id of
 * the last node it replaces, so users need no rewiring, and reports the producer's source line.
 */
abstract class EpilogueFusion implements Pass, Explaining {

    /** Whether {@code n} is the GEMM-like op whose epilogue can take a bias and an activation. */
    abstract boolean isProducer(Node n);

    /** Whether {@code n} adds a bias along the axis the producer's epilogue can add it on. */
    abstract boolean isBias(Node n);

    /** The fused op of {@code producer} with its bias and {@code activation}. */
    abstract Op fused(Node producer, ActivationKind activation, double alpha);

    @Override
    public final Graph run(Graph graph) {
        Uses uses = new Uses(graph);
        Map<Integer, Node> byId = byId(graph);
        Map<Integer, Node> replacement = new HashMap<>();
        Set<Integer> absorbed = new HashSet<>();
        // Last to first, so that an activation claims its bias_add before the bias_add is fused alone.
        for (int i = graph.nodes().size() - 1; i >= 0; i--) {
            Node n = graph.nodes().get(i);
            Node bias = n;
            ActivationKind kind = ActivationKind.IDENTITY;
            double alpha = 0;
            if (n.op() instanceof Activation a && isBias(byId.get(n.inputs().get(0))) && uses.once(n.inputs().get(0))) {
                bias = byId.get(n.inputs().get(0));
                kind = a.kind();
                alpha = a.alpha();
            }
            if (!isBias(bias) || absorbed.contains(bias.id()) || replacement.containsKey(bias.id())) {
                continue;
            }
            Node producer = byId.get(bias.inputs().get(0));
            if (!isProducer(producer) || !uses.once(producer.id())) {
                continue;
            }
            List<Integer> operands = List.of(producer.inputs().get(0), producer.inputs().get(1), bias.inputs().get(1));
            replacement.put(n.id(), new Node(n.id(), fused(producer, kind, alpha), operands, n.type(), producer.origin()));
            absorbed.add(producer.id());
            if (bias != n) {
                absorbed.add(bias.id());
            }
        }
        List<Node> nodes = new ArrayList<>();
        for (Node n : graph.nodes()) {
            if (!absorbed.contains(n.id())) {
                nodes.add(replacement.getOrDefault(n.id(), n));
            }
        }
        return new Graph(graph.name(), nodes, graph.outputs());
    }

    @Override
    public final List<String> explain(Graph graph) {
        Uses uses = new Uses(graph);
        Map<Integer, Node> byId = byId(graph);
        List<String> lines = new ArrayList<>();
        for (Node n : graph.nodes()) {
            if (isBias(n) && isProducer(byId.get(n.inputs().get(0))) && !uses.once(n.inputs().get(0))) {
                Node producer = byId.get(n.inputs().get(0));
                lines.add(producer.op().mnemonic() + " %" + producer.id() + " not fused with bias_add %" + n.id()
                        + ": its result is also read by " + uses.readers(producer.id()));
            }
            if (n.op() instanceof Activation && isBias(byId.get(n.inputs().get(0)))
                    && isProducer(byId.get(byId.get(n.inputs().get(0)).inputs().get(0)))
                    && !uses.once(n.inputs().get(0))) {
                lines.add("bias_add %" + n.inputs().get(0) + " not fused with " + n.op().mnemonic() + " %" + n.id()
                        + ": its result is also read by " + uses.readers(n.inputs().get(0)));
            }
        }
        return lines;
    }

    private static Map<Integer, Node> byId(Graph graph) {
        Map<Integer, Node> byId = new HashMap<>();
        graph.nodes().forEach(n -> byId.put(n.id(), n));
        return byId;
    }
}
