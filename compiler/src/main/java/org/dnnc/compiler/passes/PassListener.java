package org.dnnc.compiler.passes;

import org.dnnc.compiler.ir.Graph;

/** Sees the graph after each pass, e.g. to dump it. */
@FunctionalInterface
public interface PassListener {

    /** A listener that does nothing. */
    PassListener NONE = (pass, graph) -> {};

    void afterPass(String pass, Graph graph);
}
