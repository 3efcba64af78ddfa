package org.dnnc.compiler.ir;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Checks that a graph is well formed: unique ids, operands defined before use, operand counts that
 * match the ops, stored types equal to the inferred ones, outputs that exist, unique input and
 * parameter names, and blocked layouts only on values that fit them. Passes are verified after they run, so a broken pass is caught at once.
 */
public final class Verifier {

    private Verifier() {}

    /** @throws IrVerificationException listing every problem, if there is any */
    public static void verify(Graph g) {
        var problems = new ArrayList<String>();
        // Sized for the graph: growing a map of a deep network's nodes step by step costs more than filling it.
        Map<Integer, Node> defined = new HashMap<>(2 * g.nodes().size());
        Map<String, Integer> paramNames = new HashMap<>(2 * g.nodes().size());
        Map<String, Integer> inputNames = new HashMap<>();
        for (Node node : g.nodes()) {
            checkNode(node, defined, problems);
            if (node.op() instanceof Param param) {
                checkUnique(paramNames, "parameter", param.name(), node.id(), problems);
            } else if (node.op() instanceof Input input) {
                checkUnique(inputNames, "input", input.name(), node.id(), problems);
            }
            if (defined.putIfAbsent(node.id(), node) != null) {
                problems.add("node id %" + node.id() + " is defined twice");
            }
        }
        for (var output : g.outputs().entrySet()) {
            if (!defined.containsKey(output.getValue())) {
                problems.add("output " + output.getKey() + " names %" + output.getValue() + ", which does not exist");
            }
        }
        g.layouts().forEach((id, layout) -> checkLayout(id, layout, defined.get(id), problems));
        if (!problems.isEmpty()) {
            throw new IrVerificationException(g.name(), problems);
        }
    }

    private static void checkNode(Node node, Map<Integer, Node> defined, List<String> problems) {
        String where = "%" + node.id() + " (" + node.op().mnemonic() + ")";
        var operandTypes = new ArrayList<TensorType>();
        for (int input : node.inputs()) {
            Node operand = defined.get(input);
            if (operand == null) {
                problems.add(where + " uses %" + input + ", which is not defined before it");
            } else {
                operandTypes.add(operand.type());
            }
        }
        int arity = node.op().arity();
        int count = node.inputs().size();
        if (arity == Op.VARIADIC ? count < 2 : count != arity) {
            String expected = arity == Op.VARIADIC ? "at least 2" : Integer.toString(arity);
            problems.add(where + " has " + count + (count == 1 ? " operand" : " operands") + " but takes " + expected);
            return;
        }
        if (operandTypes.size() != count) {
            return;
        }
        try {
            TensorType inferred = node.op().inferType(operandTypes);
            if (!inferred.equals(node.type())) {
                problems.add(where + " is typed " + node.type() + " but its operands give " + inferred);
            }
        } catch (IrTypeException e) {
            problems.add("%" + node.id() + ": " + e.getMessage());
        }
    }

    /** A blocked value must exist and be f32 {@code [N,C,H,W]} with C whole blocks, so it fills as much as NCHW. */
    private static void checkLayout(int id, Layout layout, Node node, List<String> problems) {
        if (node == null) {
            problems.add("layout " + layout.mnemonic() + " is set for %" + id + ", which does not exist");
            return;
        }
        TensorType t = node.type();
        if (!layout.fits(t)) {
            problems.add("%" + id + " (" + node.op().mnemonic() + ") is " + layout.mnemonic() + " but typed " + t
                    + "; that layout needs f32 [N,C,H,W] with C a multiple of " + Layout.BLOCK);
        }
    }

    private static void checkUnique(Map<String, Integer> seen, String kind, String name, int id, List<String> problems) {
        Integer first = seen.putIfAbsent(name, id);
        if (first != null) {
            problems.add(kind + " name \"" + name + "\" is used by %" + first + " and %" + id);
        }
    }
}
