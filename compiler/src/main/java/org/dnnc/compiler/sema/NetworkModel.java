package org.dnnc.compiler.sema;

import org.dnnc.compiler.diag.Span;
import org.dnnc.compiler.ir.Graph;

/**
 * A network that resolved without errors: its forward graph (inputs, parameters, outputs, and the
 * loss when there is a train section) and its training configuration.
 *
 * @param packageName the Java package from the file's {@code package} line, or "" when it has none
 */
public record NetworkModel(String packageName, String name, Graph graph, TrainConfig train, Span span) {

    /** The Java class name with its package: {@code org.example.FashionMlp}. */
    public String qualifiedName() {
        return packageName.isEmpty() ? name : packageName + "." + name;
    }

    /** This network trained and planned at {@code batch} examples per step instead of its train section's. */
    public NetworkModel withBatch(int batch) {
        return new NetworkModel(packageName, name, graph, train.withBatch(batch), span);
    }
}
