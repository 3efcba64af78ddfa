package org.dnnc.compiler.ir;

/**
 * Writes a graph in Graphviz's DOT language: one box per node labelled with its op and type, inputs
 * and parameters in their own shapes, edges from operands to users, and the outputs as extra nodes.
 * The output depends only on the graph.
 */
public final class DotPrinter {

    private DotPrinter() {}

    public static String print(Graph g) {
        var out = new StringBuilder();
        out.append("digraph ").append(quote(g.name())).append(" {\n");
        out.append("  node [fontname=\"monospace\"];\n");
        for (Node node : g.nodes()) {
            out.append("  n").append(node.id())
                    .append(" [").append(shape(node.op()))
                    .append(", label=\"").append(label(node)).append("\"];\n");
            for (int input : node.inputs()) {
                out.append("  n").append(input).append(" -> n").append(node.id()).append(";\n");
            }
        }
        int index = 0;
        for (var output : g.outputs().entrySet()) {
            out.append("  out").append(index)
                    .append(" [shape=plaintext, label=").append(quote(output.getKey())).append("];\n");
            out.append("  n").append(output.getValue()).append(" -> out").append(index).append(";\n");
            index++;
        }
        return out.append("}\n").toString();
    }

    private static String shape(Op op) {
        if (op instanceof Input) {
            return "shape=invhouse";
        }
        if (op instanceof Param param) {
            return param.trainable() ? "shape=box" : "shape=box, style=dashed";
        }
        return "shape=ellipse";
    }

    /** The label's text, already escaped; {@code \n} is DOT's line break. */
    private static String label(Node node) {
        String head = "%" + node.id() + " " + node.op().mnemonic();
        if (node.op() instanceof Input input) {
            head += " " + escape(input.name());
        } else if (node.op() instanceof Param param) {
            head += " " + escape(param.name());
        }
        return head + "\\n" + node.type();
    }

    private static String quote(String text) {
        return "\"" + escape(text) + "\"";
    }

    private static String escape(String text) {
        return text.replace("\\", "\\\\").replace("\"", "\\\"");
    }
}
