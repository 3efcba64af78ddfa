package org.dnnc.compiler.ir;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.TreeMap;

/**
 * A model as an SSA graph: nodes in schedule order (every node after its operands) and named
 * outputs such as {@code probs} and {@code loss}. Ids are unique but need not be dense, so passes
 * can drop nodes without renumbering. A graph is immutable; {@link Verifier} checks that it is
 * well formed.
 *
 * <p>A graph also holds the memory layout of its values ({@link Layout}): only those that are not
 * {@link Layout#NCHW}, which {@code LayoutAssignment} sets as the last pass of the CPU pipeline. A
 * pass that rebuilds a graph with {@link #Graph(String, List, Map)} drops them.
 *
 * <p>Lookups by id and of users go through indexes built on first use, so that a pass or an
 * emitter that asks about every node stays linear in the size of the graph.
 */
public final class Graph {
    private final String name;
    private final List<Node> nodes;
    private final Map<String, Integer> outputs;
    private final Map<Integer, Layout> layouts;
    private volatile Map<Integer, Node> byId;
    private volatile Map<Integer, List<Node>> usersById;

    /** @param outputs output names, in declaration order, to node ids */
    public Graph(String name, List<Node> nodes, Map<String, Integer> outputs) {
        this(name, nodes, outputs, Map.of());
    }

    /**
     * @param outputs output names, in declaration order, to node ids
     * @param layouts node ids to their values' layouts; {@link Layout#NCHW} entries are dropped, as
     *     that is every other value's
     */
    public Graph(String name, List<Node> nodes, Map<String, Integer> outputs, Map<Integer, Layout> layouts) {
        this.name = Objects.requireNonNull(name, "name");
        this.nodes = List.copyOf(nodes);
        // Map.copyOf would lose the declaration order.
        this.outputs = Collections.unmodifiableMap(new LinkedHashMap<>(outputs));
        var blocked = new TreeMap<Integer, Layout>();
        layouts.forEach((id, layout) -> {
            if (layout != Layout.NCHW) {
                blocked.put(id, layout);
            }
        });
        this.layouts = Collections.unmodifiableMap(blocked);
    }

    public String name() {
        return name;
    }

    /** The nodes in schedule order. */
    public List<Node> nodes() {
        return nodes;
    }

    /** Output names, in declaration order, to node ids. */
    public Map<String, Integer> outputs() {
        return outputs;
    }

    /** The layouts of the values that are not {@link Layout#NCHW}, by node id in ascending order. */
    public Map<Integer, Layout> layouts() {
        return layouts;
    }

    /** The layout of node {@code id}'s value: {@link Layout#NCHW} unless set otherwise. */
    public Layout layout(int id) {
        return layouts.getOrDefault(id, Layout.NCHW);
    }

    /** This graph with {@code layouts} (by node id) in place of its own. */
    public Graph withLayouts(Map<Integer, Layout> layouts) {
        return new Graph(name, nodes, outputs, layouts);
    }

    /**
     * The node with this id.
     *
     * @throws NoSuchElementException if there is none
     */
    public Node node(int id) {
        Node n = byId().get(id);
        if (n == null) {
            throw new NoSuchElementException("graph " + name + " has no node %" + id);
        }
        return n;
    }

    /** The nodes that use the value of node {@code id}, each once, in schedule order. */
    public List<Node> users(int id) {
        return usersById().getOrDefault(id, List.of());
    }

    /** The parameter nodes, in schedule order. */
    public List<Node> params() {
        return nodes.stream().filter(n -> n.op() instanceof Param).toList();
    }

    /** The input nodes, in schedule order. */
    public List<Node> inputs() {
        return nodes.stream().filter(n -> n.op() instanceof Input).toList();
    }

    private Map<Integer, Node> byId() {
        Map<Integer, Node> index = byId;
        if (index == null) {
            index = new HashMap<>();
            for (Node n : nodes) {
                index.putIfAbsent(n.id(), n);
            }
            byId = index;
        }
        return index;
    }

    private Map<Integer, List<Node>> usersById() {
        Map<Integer, List<Node>> index = usersById;
        if (index == null) {
            index = new HashMap<>();
            for (Node n : nodes) {
                for (int input : n.inputs().stream().distinct().toList()) {
                    index.computeIfAbsent(input, k -> new ArrayList<>()).add(n);
                }
            }
            index.replaceAll((id, users) -> List.copyOf(users));
            usersById = index;
        }
        return index;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Graph g && name.equals(g.name) && nodes.equals(g.nodes) && outputs.equals(g.outputs)
                && layouts.equals(g.layouts);
    }

    @Override
    public int hashCode() {
        return Objects.hash(name, nodes, outputs, layouts);
    }

    @Override
    public String toString() {
        return "Graph[name=" + name + ", nodes=" + nodes + ", outputs=" + outputs + ", layouts=" + layouts + "]";
    }
}
