package org.dnnc.compiler.passes;

import org.dnnc.compiler.ir.Graph;

/** A graph-to-graph transformation. Graphs are immutable, so a pass returns a new graph (or the same one). */
public interface Pass {

    /** The short name used on the command line and in dumps, e.g. {@code dce}. */
    String name();

    /** One sentence for {@code --help}. */
    String description();

    Graph run(Graph graph);
}
