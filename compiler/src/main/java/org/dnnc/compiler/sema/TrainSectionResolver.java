package org.dnnc.compiler.sema;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.dnnc.compiler.diag.Span;
import org.dnnc.compiler.diag.Suggestions;
import org.dnnc.compiler.ir.DType;
import org.dnnc.compiler.ir.GraphBuilder;
import org.dnnc.compiler.syntax.Member;
import org.dnnc.compiler.syntax.TrainItem;

/**
 * Resolves the {@code train { }} section. Settings come first (the default initializer is needed
 * before layers create parameters); the loss, directives and augmentations come after the network
 * body, since they name its values.
 */
final class TrainSectionResolver {
    private static final List<String> IMAGE_AUGMENTATIONS = List.of("flip_horizontal", "flip_vertical", "shift", "rotate");

    private final Evaluator ev;
    private final Registry registry;
    private final Member.TrainSection section;
    private final Map<String, Object> settings = new LinkedHashMap<>();
    private final Map<String, Span> given = new HashMap<>();
    private final List<Option> directives = new ArrayList<>();
    private final Map<String, List<Option>> augment = new LinkedHashMap<>();
    private boolean hasLoss;
    private Set<String> frozen = Set.of();

    TrainSectionResolver(Evaluator ev, Registry registry, Member.TrainSection section) {
        this.ev = ev;
        this.registry = registry;
        this.section = section;
    }

    void settings(Env env) {
        for (TrainItem item : Resolver.items(section)) {
            if (!(item instanceof TrainItem.Setting s) || s.key().text().equals("loss")) {
                continue;
            }
            String key = s.key().text();
            Optional<OptionSpec> spec = registry.option(key, Category.SETTING);
            if (spec.isEmpty()) {
                unknownSetting(s);
                continue;
            }
            if (!checkOnce(key, s.key().span())) {
                continue;
            }
            ParamSpec p = spec.get().params().get(0);
            Object value = p.type() instanceof ArgType.OptionArg o
                    ? ev.binder().option(o.category(), s.value(), env)
                    : Conversions.convert(ev, "`" + key + "`", p.type(), ev.eval(s.value(), env), s.value().span(), env);
            if (value instanceof Option o && o.name().equals("cyclical")
                    && o.args().has("min_lr") && o.args().has("max_lr") && o.args().real("min_lr") > o.args().real("max_lr")) {
                ev.error(s.value().span(), "`cyclical` needs `min_lr` at most `max_lr`, got " + o.args().real("min_lr")
                        + " and " + o.args().real("max_lr"));
                continue;
            }
            if (value instanceof Option o && (o.name().equals("sgd") || o.name().equals("momentum"))
                    && o.args().bool("nesterov") && o.args().real("momentum") == 0) {
                // PyTorch refuses this too: without momentum there is nothing to look ahead with.
                ev.report(ev.diag(s.value().span(), "`nesterov: true` needs a momentum, but `" + o.name()
                        + "` has momentum 0"), "add e.g. `momentum: 0.9`");
                continue;
            }
            if (value != null) {
                settings.put(key, value);
            }
        }
        for (String name : registry.names(Category.SETTING)) {
            if (!settings.containsKey(name) && !name.equals("loss")) {
                ParamSpec p = registry.option(name, Category.SETTING).orElseThrow().params().get(0);
                if (p.defaultValue() != null) {
                    Object v = p.type() instanceof ArgType.OptionArg o
                            ? ev.binder().option(o.category(), new org.dnnc.compiler.syntax.Expr.Name(
                                    new org.dnnc.compiler.syntax.Ident((String) p.defaultValue(), Span.NONE), Span.NONE), env)
                            : p.defaultValue();
                    settings.put(name, v);
                }
            }
        }
    }

    String defaultInit() {
        return ((Option) settings.get("init")).toString();
    }

    /** The batch the programs are planned for: the setting, or its default. */
    TensorLimits.PlannedBatch batch() {
        return new TensorLimits.PlannedBatch(Math.toIntExact((Long) settings.get("batch")), section != null);
    }

    void lossAndDirectives(Env env, GraphBuilder graph) {
        TrainItem.Setting loss = null;
        Integer lossNode = null;
        for (TrainItem item : Resolver.items(section)) {
            if (item instanceof TrainItem.Setting s && s.key().text().equals("loss")) {
                if (checkOnce("loss", s.key().span())) {
                    loss = s;
                }
            } else if (item instanceof TrainItem.Directive d) {
                directive(d, env);
            } else if (item instanceof TrainItem.Augment a) {
                augmentation(a, env);
            }
        }
        if (loss != null) {
            hasLoss = true;
            // The loss is the graph's output `loss`: an output of that name would be a second one.
            Optional<Scope.Binding> clash = env.scope.peek("loss").filter(b -> b.kind.equals("output"));
            if (clash.isPresent()) {
                ev.report(ev.diag(clash.get().span, "output `loss` has the name of the training loss")
                        .withNote(loss.key().span(), "the training loss is set here"), "rename the output");
            }
            Val v = ev.eval(loss.value(), env.child("loss"));
            if (v instanceof Val.Tensor t && t.type().isScalar() && t.type().dtype() == DType.F32) {
                if (clash.isEmpty()) {
                    graph.output("loss", t.id());
                }
                lossNode = t.id();
            } else if (v instanceof Val.Symbol sym) {
                ev.unknownName(sym, env);
            } else if (!(v instanceof Val.Error)) {
                ev.report(ev.diag(loss.value().span(), "`loss` must be a scalar loss, got " + v.describe()),
                        "use a loss such as `cross_entropy(logits, label)`, `mse(prediction, target)` or `bce_with_logits(logits, target)`");
            }
        } else if (section != null) {
            ev.report(ev.diag(section.span(), "the `train` section has no `loss`"), "add e.g. `loss = cross_entropy(logits, label);`");
        }
        frozen = Freezing.resolve(directives, Optional.ofNullable(lossNode), graph, ev);
    }

    private void unknownSetting(TrainItem.Setting s) {
        String key = s.key().text();
        String hint = registry.lookup(key).filter(e -> e.category() == Category.DIRECTIVE)
                .map(e -> "`" + key + "` is a directive: write `" + key + "(...);`")
                .orElse(Suggestions.closest(key, registry.names(Category.SETTING)).map(x -> "did you mean `" + x + "`?")
                        .orElse("settings are " + ArgBinder.quoteAll(registry.names(Category.SETTING))));
        ev.report(ev.diag(s.key().span(), "unknown train setting `" + key + "`"), hint);
    }

    private boolean checkOnce(String key, Span span) {
        Span first = given.putIfAbsent(key, span);
        if (first != null) {
            ev.report(ev.diag(span, "`" + key + "` is set twice").withNote(first, "first set here"));
            return false;
        }
        return true;
    }

    private void directive(TrainItem.Directive d, Env env) {
        String name = d.call().callee().text();
        Optional<OptionSpec> spec = registry.option(name, Category.DIRECTIVE);
        if (spec.isEmpty()) {
            String hint = registry.option(name, Category.SETTING).map(x -> "`" + name + "` is a setting: write `" + name + " = ...;`")
                    .orElse(Suggestions.closest(name, registry.names(Category.DIRECTIVE)).map(x -> "did you mean `" + x + "`?")
                            .orElse("directives are " + ArgBinder.quoteAll(registry.names(Category.DIRECTIVE))));
            ev.report(ev.diag(d.call().callee().span(), "unknown train directive `" + name + "`"), hint);
            return;
        }
        if (!name.equals("freeze") && !checkOnce(name, d.call().callee().span())) {
            return;
        }
        ev.binder().bind("`" + name + "`", spec.get().params(), d.call().args(), Map.of(), d.call().span(), env)
                .filter(args -> !name.equals("load_weights") || renamesValid(d, args))
                .ifPresent(args -> directives.add(new Option(name, args, d.span())));
    }

    /** Reports a malformed {@code map} of {@code load_weights} at the argument. */
    private boolean renamesValid(TrainItem.Directive d, Args args) {
        String problem = args.has("map") ? WeightRenames.problem(args.string("map")) : null;
        if (problem == null) {
            return true;
        }
        Span at = d.call().args().stream().filter(a -> a.name().map(n -> n.text().equals("map")).orElse(false))
                .findFirst().map(a -> a.span()).orElse(d.call().span());
        ev.report(ev.diag(at, problem), "write prefix rules separated by commas: map: \"features.0.=conv.conv2d1.,"
                + " classifier.=logits.dense1.\"");
        return false;
    }

    private void augmentation(TrainItem.Augment a, Env env) {
        String input = a.input().text();
        Optional<Val> value = env.scope.peek(input).filter(b -> b.kind.equals("input")).map(b -> b.value);
        if (value.isEmpty()) {
            ev.report(ev.diag(a.input().span(), "`augment` names `" + input + "`, which is not an input of the network"),
                    Suggestions.closest(input, env.scope.names()).map(x -> "did you mean `" + x + "`?").orElse(null));
            return;
        }
        if (augment.containsKey(input)) {
            ev.error(a.input().span(), "`" + input + "` is augmented twice; list every augmentation in one line");
            return;
        }
        List<Option> list = new ArrayList<>();
        for (var stage : a.stages()) {
            Option o = ev.binder().option(Category.AUGMENTATION, stage, env);
            if (o == null || !(value.get() instanceof Val.Tensor t)) {
                continue;
            }
            if (t.type().dtype() != DType.F32) {
                ev.error(stage.span(), "`" + o.name() + "` augments float inputs, but `" + input + "` is " + t.type());
            } else if (IMAGE_AUGMENTATIONS.contains(o.name()) && t.type().rank() != 4) {
                ev.error(stage.span(), "`" + o.name() + "` needs an image input [channels, height, width], but `" + input
                        + "` is " + Shapes.perExample(t.type()));
            } else {
                list.add(o);
            }
        }
        augment.put(input, list);
    }

    boolean hasLoss() {
        return hasLoss;
    }

    boolean augmented(String input) {
        return augment.containsKey(input);
    }

    TrainConfig config() {
        return new TrainConfig(section != null, settings, directives, augment, frozen);
    }
}
