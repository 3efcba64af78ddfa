package org.dnnc.compiler.ir;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Builds a {@link Graph} node by node, typing each node as it is added, so that a shape error is
 * found where it is made. Ids are 0, 1, 2, ... in order of creation.
 */
public final class GraphBuilder {

    private final String name;
    private final List<Node> nodes = new ArrayList<>();
    private final Map<Integer, Node> byId = new HashMap<>();
    private final Set<String> paramNames = new HashSet<>();
    private final Set<String> inputNames = new HashSet<>();
    private final Map<String, Integer> outputs = new LinkedHashMap<>();

    public GraphBuilder(String name) {
        this.name = Objects.requireNonNull(name, "name");
    }

    /**
     * Adds an input.
     *
     * @throws IllegalArgumentException if the name is taken or a size is not positive
     */
    public int input(String name, TensorType type, Origin origin) {
        return addLeaf(new Input(name, type), origin);
    }

    /**
     * Adds a parameter, or a buffer when not {@code trainable}.
     *
     * @throws IllegalArgumentException if the name is taken or a size is not positive
     */
    public int param(String name, TensorType type, boolean trainable, String init, Origin origin) {
        return addLeaf(new Param(name, type, trainable, init), origin);
    }

    /**
     * Applies {@code op} to the values of {@code inputs} and returns the new node's id.
     *
     * @throws IrTypeException if the op does not accept the operands' types
     * @throws IllegalArgumentException if an input id is unknown, or an input or parameter name is taken
     */
    public int add(Op op, List<Integer> inputs, Origin origin) throws IrTypeException {
        var operandTypes = new ArrayList<TensorType>();
        for (int input : inputs) {
            operandTypes.add(node(input).type());
        }
        TensorType type = op.inferType(operandTypes);
        claimName(op);
        var node = new Node(nodes.size(), op, inputs, type, origin);
        nodes.add(node);
        byId.put(node.id(), node);
        return node.id();
    }

    /** The type of node {@code id}. */
    public TensorType type(int id) {
        return node(id).type();
    }

    /**
     * The node with this id.
     *
     * @throws IllegalArgumentException if there is none
     */
    public Node node(int id) {
        Node node = byId.get(id);
        if (node == null) {
            throw new IllegalArgumentException("no node %" + id + " in graph " + name);
        }
        return node;
    }

    /**
     * Names node {@code id} as an output.
     *
     * @throws IllegalArgumentException if the id is unknown or the name is taken
     */
    public void output(String name, int id) {
        node(id);
        if (outputs.containsKey(name)) {
            throw new IllegalArgumentException("duplicate output name \"" + name + "\"");
        }
        outputs.put(name, id);
    }

    public Graph build() {
        return new Graph(name, nodes, outputs);
    }

    private void claimName(Op op) {
        if (op instanceof Param param) {
            claim(paramNames, "parameter", param.name());
        } else if (op instanceof Input input) {
            claim(inputNames, "input", input.name());
        }
    }

    private static void claim(Set<String> names, String kind, String name) {
        if (!names.add(name)) {
            throw new IllegalArgumentException("duplicate " + kind + " name \"" + name + "\"");
        }
    }

    private int addLeaf(Op op, Origin origin) {
        try {
            return add(op, List.of(), origin);
        } catch (IrTypeException e) {
            throw new IllegalArgumentException(e.getMessage(), e);
        }
    }
}
