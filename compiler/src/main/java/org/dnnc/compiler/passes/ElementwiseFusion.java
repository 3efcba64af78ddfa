package org.dnnc.compiler.passes;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
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
 * are left as they are, and longer ones than {@link #MAX_STEPS} are cut.
 */
public final class ElementwiseFusion implements Pass, Explaining {

    /**
     * The most steps one fused loop computes. Each step is a local of the loop, and the loop must
     * stay well inside a Java method; a longer chain is cut into consecutive loops.
     */
    public static final int MAX_STEPS = 64;

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
        // Last to first: a node that a later chain absorbs is no chain's end, and each node is visited once.
        for (int i = graph.nodes().size() - 1; i >= 0; i--) {
            Node n = graph.nodes().get(i);
            if (!n.op().elementwise() || absorbed.contains(n.id())) {
                continue;
            }
            Chain chain = new Chain(byId, uses, n, absorbed);
            if (chain.steps.size() > 1) {
                replacement.put(n.id(), new Node(n.id(), new FusedElementwise(chain.steps), chain.operands, n.type(),
                        n.origin()));
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

    /**
     * The steps and external operands of the chain that ends at one node: the element-wise operands
     * it absorbs, depth first, each step after those of its operands. The walk keeps its own stack,
     * so a chain as long as the network costs no Java stack, and it stops absorbing at {@link
     * #MAX_STEPS}: the operand where it stops ends a chain of its own.
     */
    private static final class Chain {
        final List<Step> steps = new ArrayList<>();
        final List<Integer> operands = new ArrayList<>();
        private final Map<Integer, Integer> operandIndex = new HashMap<>();

        Chain(Map<Integer, Node> byId, Uses uses, Node end, Set<Integer> absorbed) {
            Deque<Visit> stack = new ArrayDeque<>();
            stack.push(new Visit(end));
            int visits = 1;
            while (!stack.isEmpty()) {
                Visit v = stack.peek();
                if (v.next < v.node.inputs().size()) {
                    int input = v.node.inputs().get(v.next++);
                    Node operand = byId.get(input);
                    if (visits < MAX_STEPS && operand.op().elementwise() && uses.once(input)
                            && operand.type().equals(v.node.type())) {
                        absorbed.add(input);
                        stack.push(new Visit(operand));
                        visits++;
                    } else {
                        v.args.add(Ref.input(operandIndex.computeIfAbsent(input, k -> {
                            operands.add(k);
                            return operands.size() - 1;
                        })));
                    }
                    continue;
                }
                stack.pop();
                steps.add(new Step(v.node.op(), v.args));
                if (!stack.isEmpty()) {
                    stack.peek().args.add(Ref.step(steps.size() - 1));
                }
            }
        }

        /** A node of the chain whose operands {@code next} onwards are still to be walked. */
        private static final class Visit {
            final Node node;
            final List<Ref> args = new ArrayList<>();
            int next;

            Visit(Node node) {
                this.node = node;
            }
        }
    }
}
