package org.dnnc.compiler.passes;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.dnnc.compiler.ir.Activation;
import org.dnnc.compiler.ir.ActivationKind;
import org.dnnc.compiler.ir.BiasAdd;
import org.dnnc.compiler.ir.Dense;
import org.dnnc.compiler.ir.Graph;
import org.dnnc.compiler.ir.MatMul;
import org.dnnc.compiler.ir.Node;

/**
 * Fuses {@code matmul -> bias_add -> activation} (and {@code matmul -> bias_add}) into one
 * {@code dense} node: one GEMM whose epilogue adds the bias and applies the activation while the
 * result is still in cache. Only intermediates read by nothing else are absorbed; the fused node
 * keeps the id of the last node it replaces, so users need no rewiring.
 */
public final class DenseFusion implements Pass, Explaining {

    @Override
    public String name() {
        return "fuse-dense";
    }

    @Override
    public String description() {
        return "Fuses matmul, bias_add and an activation into one dense node (GEMM plus epilogue).";
    }

    @Override
    public Graph run(Graph graph) {
        Uses uses = new Uses(graph);
        Map<Integer, Node> byId = new HashMap<>();
        graph.nodes().forEach(n -> byId.put(n.id(), n));
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
            Node matmul = byId.get(bias.inputs().get(0));
            if (!(matmul.op() instanceof MatMul) || !uses.once(matmul.id())) {
                continue;
            }
            List<Integer> operands = List.of(matmul.inputs().get(0), matmul.inputs().get(1), bias.inputs().get(1));
            // The fused node is the dense layer, so it reports where the layer was written.
            replacement.put(n.id(), new Node(n.id(), new Dense(kind, alpha), operands, n.type(), matmul.origin()));
            absorbed.add(matmul.id());
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
    public List<String> explain(Graph graph) {
        Uses uses = new Uses(graph);
        Map<Integer, Node> byId = new HashMap<>();
        graph.nodes().forEach(n -> byId.put(n.id(), n));
        List<String> lines = new ArrayList<>();
        for (Node n : graph.nodes()) {
            if (isBias(n) && byId.get(n.inputs().get(0)).op() instanceof MatMul && !uses.once(n.inputs().get(0))) {
                lines.add("matmul %" + n.inputs().get(0) + " not fused with bias_add %" + n.id()
                        + ": its result is also read by " + uses.readers(n.inputs().get(0)));
            }
            if (n.op() instanceof Activation && isBias(byId.get(n.inputs().get(0))) && !uses.once(n.inputs().get(0))) {
                lines.add("bias_add %" + n.inputs().get(0) + " not fused with " + n.op().mnemonic() + " %" + n.id()
                        + ": its result is also read by " + uses.readers(n.inputs().get(0)));
            }
        }
        return lines;
    }

    /** A bias along the last axis, which the GEMM epilogue can add. */
    private static boolean isBias(Node n) {
        return n.op() instanceof BiasAdd b && (b.axis() == -1 || b.axis() == n.type().rank() - 1);
    }
}
