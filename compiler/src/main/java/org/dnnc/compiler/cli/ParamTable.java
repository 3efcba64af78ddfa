package org.dnnc.compiler.cli;

import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Collectors;
import org.dnnc.compiler.ir.Dim;
import org.dnnc.compiler.ir.Node;
import org.dnnc.compiler.ir.Param;
import org.dnnc.compiler.sema.NetworkModel;

/** A network's parameters and buffers with their shapes, element counts and whether training changes them. */
record ParamTable(List<Row> rows) {

    /**
     * One parameter or buffer.
     *
     * @param trainable a parameter, not a buffer (batch-norm running statistics)
     * @param frozen kept fixed by the train section's {@code freeze}
     */
    record Row(String name, String shape, long elements, String init, boolean trainable, boolean frozen) {
        /** What training does to it: {@code trained}, {@code frozen}, {@code buffer} or {@code frozen buffer}. */
        String training() {
            if (trainable) {
                return frozen ? "frozen" : "trained";
            }
            return frozen ? "frozen buffer" : "buffer";
        }
    }

    static ParamTable of(NetworkModel model) {
        Set<String> frozen = model.train().frozen();
        return new ParamTable(model.graph().params().stream().map(n -> row(n, frozen)).toList());
    }

    private static Row row(Node node, Set<String> frozen) {
        Param param = (Param) node.op();
        String shape = param.type().dims().stream().map(Dim::toString).collect(Collectors.joining(", ", "[", "]"));
        return new Row(param.name(), shape, param.type().elementsPerExample(), param.init(), param.trainable(),
                frozen.contains(param.name()));
    }

    /** The elements of every parameter, frozen or not (buffers aside). */
    long parameters() {
        return rows.stream().filter(Row::trainable).mapToLong(Row::elements).sum();
    }

    /** The elements that training changes: the parameters that are not frozen. */
    long trainable() {
        return rows.stream().filter(r -> r.trainable() && !r.frozen()).mapToLong(Row::elements).sum();
    }

    /** The elements of the frozen parameters (buffers aside). */
    long frozen() {
        return rows.stream().filter(r -> r.trainable() && r.frozen()).mapToLong(Row::elements).sum();
    }

    long buffers() {
        return rows.stream().filter(r -> !r.trainable()).mapToLong(Row::elements).sum();
    }

    /** {@code 235,146}: counts are read by people, so they get digit grouping. */
    static String count(long n) {
        return String.format(Locale.ROOT, "%,d", n);
    }
}
