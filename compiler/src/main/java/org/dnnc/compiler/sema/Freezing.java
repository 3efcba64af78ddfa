package org.dnnc.compiler.sema;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import org.dnnc.compiler.diag.Diagnostic;
import org.dnnc.compiler.ir.GraphBuilder;
import org.dnnc.compiler.ir.Node;
import org.dnnc.compiler.ir.Param;

/**
 * What the train section's {@code freeze(v)} directives keep fixed: every parameter and buffer that
 * the value {@code v} depends on, found by walking the graph backwards from its node (the whole body
 * that computes it, not only the layers written in its own definition), or, for a layer bound to a
 * name ({@code enc = dense(16)}), that layer's own. A freeze that fixes nothing, and freezes that
 * leave the loss no parameter to train, are warnings.
 */
final class Freezing {
    private Freezing() {}

    /**
     * The names of the frozen parameters and buffers, sorted.
     *
     * @param loss the node of the loss, if the train section has one
     */
    static Set<String> resolve(List<Option> directives, Optional<Integer> loss, GraphBuilder graph, Evaluator ev) {
        Set<String> frozen = new TreeSet<>();
        Option last = null;
        for (Option d : directives) {
            if (!d.name().equals("freeze")) {
                continue;
            }
            String name = d.args().string("value");
            if (ev.networkValue(name).filter(Val.Error.class::isInstance).isPresent()) {
                // The value's own error is reported already.
                continue;
            }
            Optional<Set<String>> params = ev.networkValue(name).flatMap(v -> params(v, graph));
            if (params.isEmpty()) {
                ev.report(ev.diag(d.span(), "`freeze` needs a tensor value or a named layer, but `" + name + "` is "
                        + ev.networkValue(name).map(Val::describe).orElse("nothing")),
                        "freeze the value that a body of layers computes, e.g. `freeze(features);`");
                continue;
            }
            if (params.get().isEmpty()) {
                ev.report(Diagnostic.warning(d.span(), "`freeze(" + name + ")` freezes nothing: `" + name
                        + "` depends on no parameter"), "freeze a value that layers compute");
            }
            frozen.addAll(params.get());
            last = d;
        }
        if (last != null && loss.isPresent()) {
            Set<String> trained = upstream(loss.get(), graph, true);
            if (!trained.isEmpty() && frozen.containsAll(trained)) {
                ev.report(Diagnostic.warning(last.span(), "every parameter the loss depends on is frozen, so training"
                        + " changes nothing"), "leave the layers that should learn, such as a new head, out of `freeze`");
            }
        }
        return frozen;
    }

    private static Optional<Set<String>> params(Val value, GraphBuilder graph) {
        if (value instanceof Val.Tensor t) {
            return Optional.of(upstream(t.id(), graph, false));
        }
        if (value instanceof Val.Layer layer) {
            Set<String> names = new HashSet<>();
            for (int id : layer.instance().paramNodes()) {
                names.add(((Param) graph.node(id).op()).name());
            }
            return Optional.of(names);
        }
        return Optional.empty();
    }

    /** The names of the parameters (and buffers, unless {@code trainableOnly}) that node {@code from} is computed from. */
    private static Set<String> upstream(int from, GraphBuilder graph, boolean trainableOnly) {
        Set<String> names = new HashSet<>();
        Set<Integer> seen = new HashSet<>();
        Deque<Integer> work = new ArrayDeque<>(List.of(from));
        while (!work.isEmpty()) {
            int id = work.pop();
            if (!seen.add(id)) {
                continue;
            }
            Node n = graph.node(id);
            if (n.op() instanceof Param p && (p.trainable() || !trainableOnly)) {
                names.add(p.name());
            }
            work.addAll(n.inputs());
        }
        return names;
    }
}
