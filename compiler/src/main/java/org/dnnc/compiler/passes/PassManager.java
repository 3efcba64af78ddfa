package org.dnnc.compiler.passes;

import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.dnnc.compiler.ir.Graph;
import org.dnnc.compiler.ir.IrVerificationException;
import org.dnnc.compiler.ir.Verifier;

/** Runs passes in order, verifying the graph before the first and after each, so a broken pass is named at once. */
public final class PassManager {

    private final List<Pass> passes;

    /** @throws IllegalArgumentException if two passes have the same name */
    public PassManager(List<Pass> passes) {
        this.passes = List.copyOf(passes);
        var names = new HashSet<String>();
        for (Pass pass : this.passes) {
            if (!names.add(pass.name())) {
                throw new IllegalArgumentException("two passes are named " + pass.name());
            }
        }
    }

    public List<Pass> passes() {
        return passes;
    }

    public Optional<Pass> find(String name) {
        return passes.stream().filter(p -> p.name().equals(name)).findFirst();
    }

    /**
     * Runs every pass on {@code graph} and returns the last result.
     *
     * @throws IrVerificationException if {@code graph} itself is malformed
     * @throws IllegalStateException if a pass produces a malformed graph
     */
    public Graph run(Graph graph, PassListener listener) {
        Verifier.verify(graph);
        Graph current = graph;
        for (Pass pass : passes) {
            Graph result = Objects.requireNonNull(pass.run(current), () -> "pass " + pass.name() + " returned no graph");
            try {
                Verifier.verify(result);
            } catch (IrVerificationException e) {
                throw new IllegalStateException("pass " + pass.name() + " broke the graph: " + e.getMessage(), e);
            }
            listener.afterPass(pass.name(), result);
            current = result;
        }
        return current;
    }
}
