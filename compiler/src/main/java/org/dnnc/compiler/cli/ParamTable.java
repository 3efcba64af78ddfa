package org.dnnc.compiler.cli;

import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;
import org.dnnc.compiler.ir.Dim;
import org.dnnc.compiler.ir.Graph;
import org.dnnc.compiler.ir.Node;
import org.dnnc.compiler.ir.Param;

/** A network's parameters and buffers with their shapes and element counts. */
record ParamTable(List<Row> rows) {

    /** One parameter or buffer. */
    record Row(String name, String shape, long elements, String init, boolean trainable) {}

    static ParamTable of(Graph graph) {
        return new ParamTable(graph.params().stream().map(ParamTable::row).toList());
    }

    private static Row row(Node node) {
        Param param = (Param) node.op();
        String shape = param.type().dims().stream().map(Dim::toString).collect(Collectors.joining(", ", "[", "]"));
        return new Row(param.name(), shape, param.type().elementsPerExample(), param.init(), param.trainable());
    }

    long trainable() {
        return rows.stream().filter(Row::trainable).mapToLong(Row::elements).sum();
    }

    long buffers() {
        return rows.stream().filter(r -> !r.trainable()).mapToLong(Row::elements).sum();
    }

    /** {@code 235,146}: counts are read by people, so they get digit grouping. */
    static String count(long n) {
        return String.format(Locale.ROOT, "%,d", n);
    }
}
