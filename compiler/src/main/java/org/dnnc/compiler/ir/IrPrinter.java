package org.dnnc.compiler.ir;

import java.util.ArrayList;
import java.util.stream.Collectors;

/**
 * Writes a graph as text, one node per line, for dumps and tests:
 *
 * <pre>
 * graph Mlp {
 *   %0 = input "image" : f32[N,784]
 *   %1 = param "dense1.weight" {init=he_normal} : f32[256,784]               # 9 dense1
 *   %2 = matmul(%0, %1) : f32[N,256]                                         # 9 dense1
 *   return logits=%2
 * }
 * </pre>
 *
 * A value in a layout other than {@link Layout#NCHW} has it after its type, as in {@code
 * f32[N,32,14,14] nChw16c}. The output depends only on the graph, so equal graphs print equal text.
 */
public final class IrPrinter {

    /** Where source comments start, so that they line up. */
    private static final int COMMENT_COLUMN = 72;

    private IrPrinter() {}

    public static String print(Graph g) {
        var out = new StringBuilder();
        out.append("graph ").append(g.name()).append(" {\n");
        for (Node node : g.nodes()) {
            out.append(line(g, node)).append('\n');
        }
        out.append("  return");
        String outputs = g.outputs().entrySet().stream()
                .map(e -> e.getKey() + "=%" + e.getValue())
                .collect(Collectors.joining(", "));
        if (!outputs.isEmpty()) {
            out.append(' ').append(outputs);
        }
        return out.append("\n}\n").toString();
    }

    private static String line(Graph g, Node node) {
        Layout layout = g.layout(node.id());
        String code = "  %" + node.id() + " = " + body(node) + " : " + node.type()
                + (layout == Layout.NCHW ? "" : " " + layout.mnemonic());
        Origin origin = node.origin();
        if (origin.span().isNone()) {
            return code;
        }
        String where = origin.span().line() + (origin.path().isEmpty() ? "" : " " + origin.path());
        return String.format("%-" + COMMENT_COLUMN + "s  # %s", code, where);
    }

    private static String body(Node node) {
        if (node.op() instanceof Input input) {
            // The type names a sequence dimension; its bound is printed once, where it enters.
            String bounds = node.type().dims().stream()
                    .filter(Dim.Var.class::isInstance)
                    .map(Dim.Var.class::cast)
                    .map(v -> v.name() + "<=" + v.max())
                    .distinct()
                    .collect(Collectors.joining(", "));
            return "input " + quote(input.name()) + (bounds.isEmpty() ? "" : " {" + bounds + "}");
        }
        if (node.op() instanceof Param param) {
            // Most parameters are trainable, so only buffers get a flag.
            var attrs = new ArrayList<String>();
            attrs.add("init=" + param.init());
            if (!param.trainable()) {
                attrs.add("buffer");
            }
            return "param " + quote(param.name()) + " {" + String.join(", ", attrs) + "}";
        }
        String operands = node.inputs().stream().map(id -> "%" + id).collect(Collectors.joining(", "));
        String attrs = AttrsText.of(node.op());
        return node.op().mnemonic() + "(" + operands + ")" + (attrs.isEmpty() ? "" : " " + attrs);
    }

    private static String quote(String text) {
        return "\"" + text.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }
}
