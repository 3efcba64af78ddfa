package org.dnnc.compiler.ir;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Objects;

/**
 * A model as an SSA graph: nodes in schedule order (every node after its operands) and named
 * outputs such as {@code probs} and {@code loss}. Ids are unique but need not be dense, so passes
 * can drop nodes without renumbering. A graph is immutable; {@link Verifier} checks that it is
 * well formed.
 *
 * @param outputs output names, in declaration order, to node ids
 */
public record Graph(String name, List<Node> nodes, Map<String, Integer> outputs) {

    public Graph {
        Objects.requireNonNull(name, "name");
        nodes = List.copyOf(nodes);
        // Map.copyOf would lose the declaration order.
        outputs = Collections.unmodifiableMap(new LinkedHashMap<>(outputs));
    }

    /**
     * The node with this id.
     *
     * @throws NoSuchElementException if there is none
     */
    public Node node(int id) {
        for (Node n : nodes) {
            if (n.id() == id) {
                return n;
            }
        }
        throw new NoSuchElementException("graph " + name + " has no node %" + id);
    }

    /** The nodes that use the value of node {@code id}, each once, in schedule order. */
    public List<Node> users(int id) {
        return nodes.stream().filter(n -> n.inputs().contains(id)).toList();
    }

    /** The parameter nodes, in schedule order. */
    public List<Node> params() {
        return nodes.stream().filter(n -> n.op() instanceof Param).toList();
    }

    /** The input nodes, in schedule order. */
    public List<Node> inputs() {
        return nodes.stream().filter(n -> n.op() instanceof Input).toList();
    }
}
