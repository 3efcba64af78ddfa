package org.dnnc.compiler.passes;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.dnnc.compiler.ir.Activation;
import org.dnnc.compiler.ir.ActivationKind;
import org.dnnc.compiler.ir.Binary;
import org.dnnc.compiler.ir.BinaryKind;
import org.dnnc.compiler.ir.ConvBiasActivation;
import org.dnnc.compiler.ir.FusedElementwise;
import org.dnnc.compiler.ir.FusedElementwise.Ref;
import org.dnnc.compiler.ir.FusedElementwise.Step;
import org.dnnc.compiler.ir.Graph;
import org.dnnc.compiler.ir.Node;

/**
 * For the GPU, whose convolution is a library call with no epilogue of dnnc's: a convolution's bias
 * and activation ({@code conv2d_bias_<activation>}) and the element-wise chain that alone reads its
 * result (a residual add and ReLU, ...) become one fused chain over the plain convolution's result,
 * with the bias as a per-channel operand: one generated kernel where there were a bias kernel, an
 * activation kernel and the chain's. A convolution with only a bias and no chain after it is left
 * as it is, one kernel either way. Runs after {@link ElementwiseFusion}, whose chains it extends.
 */
public final class ConvEpilogueFusion implements Pass, Explaining {

    @Override
    public String name() {
        return "fuse-conv-epilogue";
    }

    @Override
    public String description() {
        return "Makes a convolution's bias, activation and the element-wise chain reading it one fused chain "
                + "(one generated GPU kernel).";
    }

    @Override
    public Graph run(Graph graph) {
        Uses uses = new Uses(graph);
        int nextId = graph.nodes().stream().mapToInt(Node::id).max().orElse(-1) + 1;
        // The plain convolution takes the fused convolution's place; the chain, that of its last node.
        Map<Integer, Node> convAt = new HashMap<>();
        Map<Integer, Node> chainAt = new HashMap<>();
        for (Node c : graph.nodes()) {
            if (!(c.op() instanceof ConvBiasActivation f)) {
                continue;
            }
            Node end = absorbable(c, uses, graph);
            // A chain that adds two convolutions (a projection shortcut) takes the first one's epilogue only.
            if (end != null && chainAt.containsKey(end.id())) {
                end = null;
            }
            if (end == null && f.activation() == ActivationKind.IDENTITY) {
                continue;
            }
            Node conv = new Node(nextId++, f.conv(), c.inputs().subList(0, 2), c.type(), c.origin());
            List<Integer> operands = new ArrayList<>(List.of(conv.id(), c.inputs().get(2)));
            List<Step> steps = new ArrayList<>();
            steps.add(new Step(new Binary(BinaryKind.ADD), List.of(Ref.input(0), Ref.input(1))));
            if (f.activation() != ActivationKind.IDENTITY) {
                steps.add(new Step(new Activation(f.activation(), f.alpha()), List.of(Ref.step(0))));
            }
            Node last = c;
            if (end != null) {
                append(steps, operands, chainOf(end), end.inputs(), c.id());
                last = end;
            }
            convAt.put(c.id(), conv);
            chainAt.put(last.id(), new Node(last.id(), new FusedElementwise(steps, List.of(1)), operands, last.type(),
                    last.origin()));
        }
        if (convAt.isEmpty()) {
            return graph;
        }
        List<Node> nodes = new ArrayList<>();
        for (Node n : graph.nodes()) {
            if (convAt.containsKey(n.id())) {
                nodes.add(convAt.get(n.id()));
            }
            if (chainAt.containsKey(n.id())) {
                nodes.add(chainAt.get(n.id()));
            } else if (!convAt.containsKey(n.id())) {
                nodes.add(n);
            }
        }
        return new Graph(graph.name(), nodes, graph.outputs());
    }

    @Override
    public List<String> explain(Graph graph) {
        Uses uses = new Uses(graph);
        List<String> lines = new ArrayList<>();
        for (Node n : graph.nodes()) {
            if (n.op() instanceof ConvBiasActivation && !uses.once(n.id()) && !graph.users(n.id()).isEmpty()
                    && graph.users(n.id()).stream().anyMatch(u -> u.op().elementwise()
                            || u.op() instanceof FusedElementwise)) {
                lines.add(n.op().mnemonic() + " %" + n.id() + " not fused with the element-wise chain after it: its"
                        + " result is also read by " + uses.readers(n.id()));
            }
        }
        return lines;
    }

    /**
     * The element-wise node, or fused chain without per-channel operands, that is the only reader
     * of {@code c}'s result and has its type; null if there is none.
     */
    private static Node absorbable(Node c, Uses uses, Graph graph) {
        if (!uses.once(c.id())) {
            return null;
        }
        List<Node> readers = graph.users(c.id());
        if (readers.size() != 1) {
            return null;
        }
        Node end = readers.get(0);
        boolean chain = end.op().elementwise()
                || end.op() instanceof FusedElementwise fe && fe.channels().isEmpty()
                        && fe.steps().size() + 2 <= ElementwiseFusion.MAX_STEPS;
        return chain && end.type().equals(c.type()) ? end : null;
    }

    /** The steps of {@code end}: its chain, or its one element-wise op over its operands in order. */
    private static List<Step> chainOf(Node end) {
        if (end.op() instanceof FusedElementwise fe) {
            return fe.steps();
        }
        List<Ref> args = new ArrayList<>();
        for (int k = 0; k < end.inputs().size(); k++) {
            args.add(Ref.input(k));
        }
        return List.of(new Step(end.op(), args));
    }

    /**
     * Appends {@code chain} (over {@code inputs}) to {@code steps}: its reads of the convolution
     * become reads of the last step so far, its other operands become operands of the fused node.
     */
    private static void append(List<Step> steps, List<Integer> operands, List<Step> chain, List<Integer> inputs,
            int conv) {
        int offset = steps.size();
        Ref head = Ref.step(offset - 1);
        for (Step s : chain) {
            List<Ref> args = new ArrayList<>();
            for (Ref r : s.args()) {
                if (r.step()) {
                    args.add(Ref.step(r.index() + offset));
                } else if (inputs.get(r.index()) == conv) {
                    args.add(head);
                } else {
                    int operand = operands.indexOf(inputs.get(r.index()));
                    if (operand < 0) {
                        operands.add(inputs.get(r.index()));
                        operand = operands.size() - 1;
                    }
                    args.add(Ref.input(operand));
                }
            }
            steps.add(new Step(s.op(), args));
        }
    }
}
