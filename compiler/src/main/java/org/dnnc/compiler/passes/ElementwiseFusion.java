package org.dnnc.compiler.passes;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.dnnc.compiler.ir.FusedElementwise;
import org.dnnc.compiler.ir.FusedElementwise.Ref;
import org.dnnc.compiler.ir.FusedElementwise.Step;
import org.dnnc.compiler.ir.Graph;
import org.dnnc.compiler.ir.Node;

/**
 * Fuses chains of element-wise ops into one {@code fused} node that reads its operands and writes
 * its result once, instead of one pass over memory per op. An element-wise node joins the chain
 * of its only reader when that reader is element-wise too and the shapes agree; chains of one op
 * are left as they are.
 */
public final class ElementwiseFusion implements Pass, Explaining {

    @Override
    public String name() {
        return "fuse-elementwise";
    }

    @Override
    public String description() {
        return "Fuses chains of element-wise ops (activations, their gradients, add, sub, mul, scale) into one loop.";
    }

    @Override
    public Graph run(Graph graph) {
        Uses uses = new Uses(graph);
        Map<Integer, Node> byId = new HashMap<>();
        graph.nodes().forEach(n -> byId.put(n.id(), n));
        Set<Integer> absorbed = new HashSet<>();
        Map<Integer, Node> replacement = new HashMap<>();
        for (Node n : graph.nodes()) {
            if (!n.op().elementwise()) {
                continue;
            }
            Chain chain = new Chain(byId, uses, n, absorbed);
            if (chain.steps.size() > 1) {
                replacement.put(n.id(), new Node(n.id(), new FusedElementwise(chain.steps), chain.operands, n.type(),
                        n.origin()));
            }
        }
        // A node absorbed into a later chain disappears; its own (smaller) chain, if any, is dropped with it.
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
            if (!n.op().elementwise()) {
                continue;
            }
            for (int input : n.inputs()) {
                Node operand = byId.get(input);
                if (operand.op().elementwise() && !uses.once(input)) {
                    lines.add(operand.op().mnemonic() + " %" + input + " not fused into " + n.op().mnemonic() + " %" + n.id()
                            + ": its result is also read by " + uses.readers(input));
                }
            }
        }
        return lines;
    }

    /** The steps and external operands of the chain that ends at one node. */
    private static final class Chain {
        final List<Step> steps = new ArrayList<>();
        final List<Integer> operands = new ArrayList<>();
        private final Map<Integer, Node> byId;
        private final Uses uses;
        private final Set<Integer> absorbed;

        Chain(Map<Integer, Node> byId, Uses uses, Node end, Set<Integer> absorbed) {
            this.byId = byId;
            this.uses = uses;
            this.absorbed = absorbed;
            visit(end, true);
        }

        /** Emits the steps of {@code n} after those of the operands it absorbs; returns its step's ref. */
        private Ref visit(Node n, boolean isEnd) {
            List<Ref> args = new ArrayList<>();
            for (int input : n.inputs()) {
                Node operand = byId.get(input);
                if (operand.op().elementwise() && uses.once(input) && operand.type().equals(n.type())) {
                    args.add(visit(operand, false));
                    absorbed.add(input);
                } else {
                    int index = operands.indexOf(input);
                    if (index < 0) {
                        index = operands.size();
                        operands.add(input);
                    }
                    args.add(Ref.input(index));
                }
            }
            steps.add(new Step(n.op(), args));
            return Ref.step(steps.size() - 1);
        }
    }
}
