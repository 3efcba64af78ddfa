package org.dnnc.compiler.sema;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.dnnc.compiler.diag.Diagnostic;
import org.dnnc.compiler.diag.Diagnostics;
import org.dnnc.compiler.diag.Span;
import org.dnnc.compiler.diag.Suggestions;
import org.dnnc.compiler.ir.GraphBuilder;
import org.dnnc.compiler.ir.Origin;
import org.dnnc.compiler.ir.TensorType;
import org.dnnc.compiler.syntax.CompilationUnit;
import org.dnnc.compiler.syntax.Member;
import org.dnnc.compiler.syntax.NetworkDecl;
import org.dnnc.compiler.syntax.TrainItem;
import org.dnnc.compiler.syntax.TypeExpr;

/**
 * Resolves the networks of a file: names, blocks, layer arguments and shapes, producing each
 * network's forward graph and training configuration. Errors are reported and resolution goes on,
 * so one run shows as many problems as it can; a network with errors yields no model.
 */
public final class Resolver {
    private final Diagnostics diagnostics;
    private final Registry registry;

    private Resolver(Diagnostics diagnostics, Registry registry) {
        this.diagnostics = diagnostics;
        this.registry = registry;
    }

    public static List<NetworkModel> resolve(CompilationUnit unit, Diagnostics diagnostics, Registry registry) {
        Resolver r = new Resolver(diagnostics, registry);
        String pkg = unit.packageName().map(q -> q.text()).orElse("");
        unit.packageName().ifPresent(q -> GeneratedClassNames.checkPackage(q, diagnostics));
        List<NetworkModel> models = new ArrayList<>();
        Map<String, Span> seen = new LinkedHashMap<>();
        if (unit.networks().isEmpty()) {
            diagnostics.warning(unit.span(), "this file declares no network");
        }
        for (NetworkDecl net : unit.networks()) {
            Span first = seen.putIfAbsent(net.name().text(), net.name().span());
            if (first != null) {
                diagnostics.report(Diagnostic.error(net.name().span(), "network `" + net.name().text() + "` is declared twice")
                        .withNote(first, "first declared here"));
                continue;
            }
            r.network(pkg, net).ifPresent(models::add);
        }
        return models;
    }

    private Optional<NetworkModel> network(String pkg, NetworkDecl net) {
        int errorsBefore = diagnostics.errorCount();
        GeneratedClassNames.checkNetwork(net.name(), diagnostics);
        Map<String, Member.BlockDecl> blocks = collectBlocks(net);
        Map<String, Span> names = collectNames(net, blocks);
        GraphBuilder graph = new GraphBuilder(net.name().text());
        Scope scope = Scope.network();
        Evaluator ev = new Evaluator(registry, diagnostics, graph, blocks, names, scope);
        Env top = new Env(scope, "");

        List<Member.TrainSection> trains = net.members().stream()
                .filter(Member.TrainSection.class::isInstance).map(Member.TrainSection.class::cast).toList();
        for (int i = 1; i < trains.size(); i++) {
            diagnostics.report(Diagnostic.error(trains.get(i).span(), "a network has one `train` section")
                    .withNote(trains.get(0).span(), "the first one is here"));
        }
        TrainSectionResolver train = new TrainSectionResolver(ev, registry, trains.isEmpty() ? null : trains.get(0));
        train.settings(top);
        ev.setDefaultInit(train.defaultInit());
        ev.setBatch(train.batch());

        Set<String> outputs = new HashSet<>();
        Map<String, TypeExpr.DimExpr.Variable> sequenceLengths = new HashMap<>();
        for (Member m : net.members()) {
            if (m instanceof Member.InputDecl in) {
                input(in, graph, scope, sequenceLengths, train.batch());
            } else if (m instanceof Member.Binding b) {
                if (scope.peek(b.name().text()).isEmpty()) {
                    scope.define(b.name().text(), ev.eval(b.value(), top.child(b.name().text())), b.name().span(), "value");
                }
            } else if (m instanceof Member.OutputDecl out) {
                String name = out.name().text();
                if (scope.peek(name).isPresent()) {
                    continue;
                }
                Val v = ev.eval(out.value(), top.child(name));
                scope.define(name, v, out.name().span(), "output");
                scope.peek(name).get().used = true;
                if (v instanceof Val.Tensor t) {
                    graph.output(name, t.id());
                    outputs.add(name);
                } else if (v instanceof Val.Symbol s) {
                    ev.unknownName(s, top);
                } else if (!(v instanceof Val.Error)) {
                    ev.error(out.value().span(), "output `" + name + "` must be a tensor, got " + v.describe());
                }
            }
        }
        train.lossAndDirectives(top, graph);
        warnUnused(net, scope, ev, blocks, outputs, train);
        if (diagnostics.errorCount() > errorsBefore) {
            return Optional.empty();
        }
        return Optional.of(new NetworkModel(pkg, net.name().text(), graph.build(), train.config(), net.span()));
    }

    private Map<String, Member.BlockDecl> collectBlocks(NetworkDecl net) {
        Map<String, Member.BlockDecl> blocks = new LinkedHashMap<>();
        for (Member m : net.members()) {
            if (!(m instanceof Member.BlockDecl b)) {
                continue;
            }
            String name = b.name().text();
            if (registry.lookup(name).isPresent()) {
                diagnostics.error(b.name().span(), "block `" + name + "` has the name of the built-in "
                        + registry.lookup(name).get().category().words() + " `" + name + "`; choose another name");
                continue;
            }
            Member.BlockDecl first = blocks.putIfAbsent(name, b);
            if (first != null) {
                diagnostics.report(Diagnostic.error(b.name().span(), "block `" + name + "` is already defined")
                        .withNote(first.name().span(), "first defined here"));
            }
            Set<String> params = new HashSet<>();
            for (Member.Param p : b.params()) {
                if (!params.add(p.name().text())) {
                    diagnostics.error(p.name().span(), "parameter `" + p.name().text() + "` is declared twice");
                }
                p.type().filter(t -> !BlockBinder.TYPES.contains(t.text())).ifPresent(t -> diagnostics.report(
                        Diagnostic.error(t.span(), "unknown parameter type `" + t.text() + "`")
                                .withHint(Suggestions.closest(t.text(), BlockBinder.TYPES).map(s -> "did you mean `" + s + "`?")
                                        .orElse("types are " + ArgBinder.quoteAll(BlockBinder.TYPES)))));
            }
        }
        return blocks;
    }

    /** Every name the network body defines, for duplicate checks and "used before defined". */
    private Map<String, Span> collectNames(NetworkDecl net, Map<String, Member.BlockDecl> blocks) {
        Map<String, Span> names = new LinkedHashMap<>();
        for (Member m : net.members()) {
            org.dnnc.compiler.syntax.Ident id = null;
            if (m instanceof Member.InputDecl in) {
                id = in.name();
            } else if (m instanceof Member.Binding b) {
                id = b.name();
            } else if (m instanceof Member.OutputDecl o) {
                id = o.name();
            }
            if (id == null) {
                continue;
            }
            Span first = names.putIfAbsent(id.text(), id.span());
            if (first != null) {
                diagnostics.report(Diagnostic.error(id.span(), "`" + id.text() + "` is already defined")
                        .withNote(first, "first defined here"));
            } else if (blocks.containsKey(id.text())) {
                diagnostics.report(Diagnostic.error(id.span(), "`" + id.text() + "` is already the name of a block")
                        .withNote(blocks.get(id.text()).name().span(), "the block is defined here"));
            }
        }
        return names;
    }

    /** Declares an input; one too large for a tensor at the planned {@code batch} is an error, and an error value. */
    private void input(Member.InputDecl in, GraphBuilder graph, Scope scope,
            Map<String, TypeExpr.DimExpr.Variable> sequenceLengths, TensorLimits.PlannedBatch batch) {
        String name = in.name().text();
        if (scope.peek(name).isPresent()) {
            return;
        }
        Optional<TensorType> type = InputTypes.resolve(in.type(), diagnostics, sequenceLengths);
        Optional<TensorLimits.TooLarge> tooLarge = type.flatMap(
                t -> TensorLimits.value("input `" + name + "` has", t, batch, "declare a smaller input"));
        tooLarge.ifPresent(t -> diagnostics.report(Diagnostic.error(in.type().span(), t.message()).withHint(t.hint())));
        if (type.isEmpty() || tooLarge.isPresent()) {
            scope.define(name, Val.ERROR, in.name().span(), "input");
            // Uses of an input in error may go unevaluated: "never used" would be one more false message.
            scope.peek(name).get().used = true;
            return;
        }
        int id = graph.input(name, type.get(), new Origin(in.span(), name));
        scope.define(name, new Val.Tensor(id, type.get(), "input `" + name + "`", in.name().span()), in.name().span(), "input");
    }

    private void warnUnused(NetworkDecl net, Scope scope, Evaluator ev, Map<String, Member.BlockDecl> blocks,
            Set<String> outputs, TrainSectionResolver train) {
        for (Scope.Binding b : scope.bindings()) {
            if (b.used || outputs.contains(b.name) || train.augmented(b.name) || ev.wasMentioned(b.name)) {
                continue;
            }
            if (b.kind.equals("input")) {
                diagnostics.warning(b.span, "input `" + b.name + "` is never used");
            } else {
                diagnostics.report(Diagnostic.warning(b.span, "value `" + b.name + "` is never used")
                        .withHint("declare it as `output " + b.name + " = ...` if it is a result"));
            }
        }
        for (Scope.Binding b : ev.unusedBlockBindings()) {
            diagnostics.warning(b.span, (b.kind.equals("parameter") ? "parameter `" : "value `") + b.name + "` is never used");
        }
        for (Member.BlockDecl b : blocks.values()) {
            if (!ev.wasCalled(b.name().text())) {
                diagnostics.warning(b.name().span(), "block `" + b.name().text() + "` is never used");
            }
        }
        boolean hasOutput = net.members().stream().anyMatch(Member.OutputDecl.class::isInstance);
        if (!hasOutput && !train.hasLoss()) {
            diagnostics.warning(net.name().span(), "network `" + net.name().text() + "` has no output and no loss");
        }
    }

    static List<TrainItem> items(Member.TrainSection section) {
        return section == null ? List.of() : section.items();
    }
}
