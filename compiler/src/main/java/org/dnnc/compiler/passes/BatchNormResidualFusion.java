package org.dnnc.compiler.passes;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.dnnc.compiler.ir.BatchNorm;
import org.dnnc.compiler.ir.Binary;
import org.dnnc.compiler.ir.BinaryKind;
import org.dnnc.compiler.ir.Graph;
import org.dnnc.compiler.ir.Node;

/**
 * Fuses the residual add after a training batch normalization into the normalization's pass:
 * {@code batchnorm(x) + r} becomes one {@code batchnorm_add}, which adds {@code r} while it writes
 * the normalized values, so the sum is not a second pass over memory. Run before {@link
 * BatchNormReluFusion}, which then folds a following ReLU in as well ({@code batchnorm_add_relu},
 * the end of a residual block). The backward pass is unchanged: the add's gradient is its output
 * gradient for both operands, and the batchnorm's gradients read x, not the normalized values. A
 * batchnorm read by anything but the add is left alone, as is an add that broadcasts.
 */
public final class BatchNormResidualFusion implements Pass, Explaining {

    @Override
    public String name() {
        return "fuse-batchnorm-add";
    }

    @Override
    public String description() {
        return "Fuses a residual add after training batchnorm into the normalization's pass.";
    }

    @Override
    public Graph run(Graph graph) {
        Uses uses = new Uses(graph);
        Map<Integer, Node> byId = new HashMap<>();
        graph.nodes().forEach(n -> byId.put(n.id(), n));
        Map<Integer, Node> replacement = new HashMap<>();
        Set<Integer> removed = new HashSet<>();
        for (Node n : graph.nodes()) {
            int norm = fusable(n, byId, uses);
            if (norm < 0) {
                continue;
            }
            Node bn = byId.get(norm);
            BatchNorm op = (BatchNorm) bn.op();
            int residual = n.inputs().get(0) == norm ? n.inputs().get(1) : n.inputs().get(0);
            List<Integer> inputs = new ArrayList<>(bn.inputs());
            inputs.add(residual);
            replacement.put(n.id(), new Node(n.id(), new BatchNorm(op.eps(), op.momentum(), false, true), inputs,
                    n.type(), bn.origin()));
            removed.add(norm);
        }
        List<Node> nodes = new ArrayList<>();
        for (Node n : graph.nodes()) {
            if (!removed.contains(n.id())) {
                nodes.add(replacement.getOrDefault(n.id(), n));
            }
        }
        return new Graph(graph.name(), nodes, graph.outputs());
    }

    /**
     * The batchnorm operand of the add {@code n} to fuse into (the second where both qualify), or -1:
     * a plain training batchnorm read only by this add, and no broadcasting.
     */
    private static int fusable(Node n, Map<Integer, Node> byId, Uses uses) {
        if (!isAdd(n) || n.inputs().get(0).equals(n.inputs().get(1))) {
            return -1;
        }
        for (int i = 1; i >= 0; i--) {
            int operand = n.inputs().get(i);
            Node other = byId.get(n.inputs().get(1 - i));
            Node candidate = byId.get(operand);
            if (isPlainBatchNorm(candidate) && uses.once(operand) && candidate.type().equals(n.type())
                    && other.type().equals(n.type())) {
                return operand;
            }
        }
        return -1;
    }

    @Override
    public List<String> explain(Graph graph) {
        Uses uses = new Uses(graph);
        Map<Integer, Node> byId = new HashMap<>();
        graph.nodes().forEach(n -> byId.put(n.id(), n));
        List<String> lines = new ArrayList<>();
        for (Node n : graph.nodes()) {
            if (!isAdd(n) || fusable(n, byId, uses) >= 0) {
                continue;
            }
            for (int operand : n.inputs()) {
                Node candidate = byId.get(operand);
                if (!isPlainBatchNorm(candidate)) {
                    continue;
                }
                String why = !uses.once(operand) ? "its result is read by " + uses.readers(operand)
                        : "the add broadcasts (" + byId.get(n.inputs().get(0)).type() + " + "
                                + byId.get(n.inputs().get(1)).type() + ")";
                lines.add("batchnorm %" + operand + " not fused with add %" + n.id() + ": " + why);
            }
        }
        return lines;
    }

    private static boolean isAdd(Node n) {
        return n.op() instanceof Binary b && b.kind() == BinaryKind.ADD;
    }

    private static boolean isPlainBatchNorm(Node n) {
        return n.op() instanceof BatchNorm bn && !bn.relu() && !bn.residual();
    }
}
