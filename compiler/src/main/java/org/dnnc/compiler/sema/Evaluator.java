package org.dnnc.compiler.sema;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.dnnc.compiler.diag.Diagnostic;
import org.dnnc.compiler.diag.Diagnostics;
import org.dnnc.compiler.diag.Severity;
import org.dnnc.compiler.diag.Span;
import org.dnnc.compiler.diag.Suggestions;
import org.dnnc.compiler.ir.BinaryKind;
import org.dnnc.compiler.ir.GraphBuilder;
import org.dnnc.compiler.ir.IrTypeException;
import org.dnnc.compiler.ir.Origin;
import org.dnnc.compiler.ir.Scale;
import org.dnnc.compiler.syntax.Expr;
import org.dnnc.compiler.syntax.Member;

/**
 * Evaluates expressions of one network: constants fold, layers emit IR through their rules, and
 * blocks are expanded at each call (recursion is rejected). Every error is reported with notes
 * for the block expansions it happened in, and evaluation goes on with {@link Val#ERROR}.
 */
final class Evaluator implements LayerCall.Host {
    private static final List<String> UNITS = List.of("epochs", "steps");

    private final Registry registry;
    private final Diagnostics diagnostics;
    private final GraphBuilder graph;
    private final Map<String, Member.BlockDecl> blocks;
    private final Map<String, Span> networkNames;
    private final Set<String> mentioned = new HashSet<>();
    private final Scope networkScope;
    private final ArgBinder binder;
    private final Deque<Expansion> expansions = new ArrayDeque<>();
    private final Set<Span> usedBlockNames = new HashSet<>();
    private final Set<String> calledBlocks = new HashSet<>();
    /** Blocks whose parameter defaults are being evaluated: they are not expanded yet, but calling them recurses. */
    private final Set<Member.BlockDecl> inDefaults = java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
    private final Map<Span, Scope.Binding> blockBindings = new HashMap<>();
    private String defaultInit = "glorot_uniform";
    /** Set from the train section's settings, which are resolved before any layer. */
    private TensorLimits.PlannedBatch batch = new TensorLimits.PlannedBatch(1, false);

    private record Expansion(Member.BlockDecl block, Span callSite) {}

    Evaluator(Registry registry, Diagnostics diagnostics, GraphBuilder graph, Map<String, Member.BlockDecl> blocks,
            Map<String, Span> networkNames, Scope networkScope) {
        this.registry = registry;
        this.diagnostics = diagnostics;
        this.graph = graph;
        this.blocks = blocks;
        this.networkNames = networkNames;
        this.networkScope = networkScope;
        this.binder = new ArgBinder(this, registry);
    }

    ArgBinder binder() {
        return binder;
    }

    void setDefaultInit(String init) {
        this.defaultInit = init;
    }

    void setBatch(TensorLimits.PlannedBatch batch) {
        this.batch = batch;
    }

    // ---- reporting -------------------------------------------------------------------------

    @Override
    public GraphBuilder graph() {
        return graph;
    }

    @Override
    public String defaultInit() {
        return defaultInit;
    }

    @Override
    public TensorLimits.PlannedBatch batch() {
        return batch;
    }

    /** Reports with a note for every block expansion we are inside, innermost first. */
    @Override
    public void report(Diagnostic d) {
        Diagnostic withContext = d;
        for (Expansion e : expansions) {
            withContext = withContext.withNote(e.callSite(), "in block `" + e.block().name().text() + "`, expanded here");
        }
        diagnostics.report(withContext);
    }

    Diagnostic diag(Span span, String message) {
        return new Diagnostic(Severity.ERROR, span, message, List.of(), List.of());
    }

    void report(Diagnostic d, String hint) {
        report(hint == null ? d : d.withHint(hint));
    }

    Val error(Span span, String message) {
        report(diag(span, message));
        return Val.ERROR;
    }

    /** Reports a name that means nothing here, with the closest visible name as a hint. */
    Val unknownName(Val.Symbol s, Env env) {
        String name = s.name();
        Span defined = networkNames.get(name);
        if (defined != null) {
            // Named, if wrongly: calling it unused as well would only add noise.
            mentioned.add(name);
        }
        if (env.scope.blockName().isEmpty() && defined != null && defined.start() > s.span().start()) {
            report(diag(s.span(), "`" + name + "` is used before it is defined").withNote(defined, "`" + name + "` is defined here"));
            return Val.ERROR;
        }
        if (env.scope.blockName().isEmpty() && defined != null) {
            // Defined above, yet not in scope: only train settings are resolved before the values.
            report(diag(s.span(), "`" + name + "` is a value of the network, which train settings cannot use"),
                    "settings are read before the network is built; write the number itself");
            return Val.ERROR;
        }
        if (env.scope.blockName().isPresent() && defined != null) {
            report(diag(s.span(), "unknown name `" + name + "` in block `" + env.scope.blockName().get() + "`"),
                    "a block sees only its parameters and its own values; pass `" + name + "` as an argument");
            return Val.ERROR;
        }
        List<String> candidates = new ArrayList<>(env.scope.names());
        Optional<String> suggestion = Suggestions.closest(name, candidates);
        // A misspelt use is still a use: no "never used" warning for the name it was meant to be.
        suggestion.ifPresent(mentioned::add);
        report(diag(s.span(), "unknown name `" + name + "`"),
                suggestion.map(c -> "did you mean `" + c + "`?").orElse(null));
        return Val.ERROR;
    }

    // ---- names used by the binder ---------------------------------------------------------

    boolean isNetworkValue(String name) {
        return networkScope.peek(name).isPresent();
    }

    /** Whether a network value was named where it could not be used (before its definition, inside a block). */
    boolean wasMentioned(String name) {
        return mentioned.contains(name);
    }

    /** The names of the network's inputs, values and outputs defined so far, for did-you-mean hints. */
    List<String> networkValueNames() {
        return networkScope.names();
    }

    /** The value a network name is bound to, if it is one. */
    Optional<Val> networkValue(String name) {
        return networkScope.peek(name).map(b -> b.value);
    }

    void markUsed(String name) {
        networkScope.lookup(name);
    }

    /** A registry layer named without parentheses, as a value: {@code bidirectional(lstm)} fails for want of `hidden`. */
    Val unappliedLayer(String name, Span span, Env env) {
        LayerSpec spec = registry.layer(name).orElseThrow();
        return binder.bind("`" + name + "`", spec.params(), List.of(), Map.of(), span, env)
                .<Val>map(args -> new Val.Layer(new LayerInstance(spec, args, env.nextPath(name), span)))
                .orElse(Val.ERROR);
    }

    // ---- expressions ----------------------------------------------------------------------

    Val eval(Expr expr, Env env) {
        if (expr instanceof Expr.Number n) {
            return number(n);
        }
        if (expr instanceof Expr.Str s) {
            return new Val.Str(s.value());
        }
        if (expr instanceof Expr.Bool b) {
            return new Val.Bool(b.value());
        }
        if (expr instanceof Expr.Name n) {
            return name(n, env);
        }
        if (expr instanceof Expr.Call c) {
            return call(c, List.of(), env);
        }
        if (expr instanceof Expr.Chain c) {
            return chain(c, env);
        }
        if (expr instanceof Expr.Binary b) {
            return binary(b, env);
        }
        if (expr instanceof Expr.Negate n) {
            return negate(n, env);
        }
        List<Val> items = new ArrayList<>();
        for (Expr item : ((Expr.ListLit) expr).items()) {
            items.add(eval(item, env));
        }
        return new Val.ListOf(items);
    }

    private Val number(Expr.Number n) {
        Val value;
        try {
            value = n.integral() ? new Val.Int(Long.parseLong(n.text())) : new Val.Real(Double.parseDouble(n.text()));
        } catch (NumberFormatException e) {
            return error(n.span(), "number `" + n.text() + "` is too large");
        }
        if (value instanceof Val.Real r && Double.isInfinite(r.value())) {
            return error(n.span(), "number `" + n.text() + "` is too large");
        }
        if (n.unit().isEmpty()) {
            return value;
        }
        String unit = n.unit().get().text();
        String plural = unit.endsWith("s") ? unit : unit + "s";
        if (!UNITS.contains(plural)) {
            report(diag(n.unit().get().span(), "unknown unit `" + unit + "`"),
                    Suggestions.closest(plural, UNITS).map(s -> "did you mean `" + s + "`?").orElse("units are `epochs` and `steps`"));
            return Val.ERROR;
        }
        if (!(value instanceof Val.Int i)) {
            return error(n.span(), "a count of " + plural + " must be a whole number, got `" + n.text() + "`");
        }
        return new Val.Duration(i.value(), plural);
    }

    private Val name(Expr.Name n, Env env) {
        String name = n.ident().text();
        Optional<Scope.Binding> b = env.scope.lookup(name);
        if (b.isPresent()) {
            return b.get().value;
        }
        return new Val.Symbol(name, n.span());
    }

    private Val chain(Expr.Chain c, Env env) {
        Val input = eval(c.input(), env);
        if (input instanceof Val.Error) {
            return Val.ERROR;
        }
        if (input instanceof Val.Symbol s) {
            return unknownName(s, env);
        }
        if (!(input instanceof Val.Tensor t)) {
            return error(c.input().span(), "the left side of `->` must be a tensor, got " + input.describe());
        }
        if (c.stage() instanceof Expr.Call call) {
            return call(call, List.of(t), env);
        }
        Expr.Name stage = (Expr.Name) c.stage();
        return stage(stage.ident().text(), stage.span(), t, env);
    }

    /** A stage without parentheses: {@code x -> relu}, {@code x -> shared}, {@code x -> features}. */
    private Val stage(String name, Span span, Val.Tensor input, Env env) {
        Optional<Scope.Binding> bound = env.scope.lookup(name);
        if (bound.isPresent()) {
            Val v = bound.get().value;
            if (v instanceof Val.Layer layer) {
                return apply(layer.instance(), List.of(input), span);
            }
            if (v instanceof Val.Error) {
                return Val.ERROR;
            }
            return error(span, "`" + name + "` is " + v.describe() + ", not a layer, so it cannot follow `->`");
        }
        if (blocks.containsKey(name)) {
            return expand(blocks.get(name), List.of(input), List.of(), span, env);
        }
        Optional<LayerSpec> spec = registry.layer(name);
        if (spec.isPresent()) {
            return applyNew(spec.get(), List.of(input), List.of(), Map.of(), span, env);
        }
        return unknownCallee(name, span, env);
    }

    private Val call(Expr.Call call, List<Val.Tensor> chainInputs, Env env) {
        String name = call.callee().text();
        Optional<Scope.Binding> bound = env.scope.lookup(name);
        if (bound.isPresent()) {
            return callBound(bound.get(), call, chainInputs, env);
        }
        if (blocks.containsKey(name)) {
            return expand(blocks.get(name), chainInputs, call.args(), call.span(), env);
        }
        Optional<RegistryEntry> entry = registry.lookup(name);
        if (entry.isPresent() && entry.get() instanceof LayerSpec spec) {
            return layerCall(spec, call, chainInputs, env);
        }
        if (entry.isPresent()) {
            Category cat = entry.get().category();
            String where = cat == Category.SETTING || cat == Category.DIRECTIVE
                    ? "the train section"
                    : "the train section, e.g. `" + settingFor(cat) + " = " + name + "(...)`";
            return error(call.callee().span(), "`" + name + "` is " + article(cat.words()) + ", not a layer; it belongs in " + where);
        }
        return unknownCallee(name, call.callee().span(), env);
    }

    private static String settingFor(Category cat) {
        return switch (cat) {
            case OPTIMIZER -> "optimizer";
            case SCHEDULE -> "schedule";
            case INITIALIZER -> "init";
            default -> "augment image: ";
        };
    }

    private static String article(String words) {
        return ("aeiou".indexOf(words.charAt(0)) >= 0 ? "an " : "a ") + words;
    }

    private Val unknownCallee(String name, Span span, Env env) {
        List<String> candidates = new ArrayList<>();
        candidates.addAll(registry.names(Category.LAYER));
        candidates.addAll(registry.names(Category.LOSS));
        candidates.addAll(blocks.keySet());
        for (Scope.Binding b : env.scope.bindings()) {
            if (b.value instanceof Val.Layer) {
                candidates.add(b.name);
            }
        }
        report(diag(span, "unknown layer `" + name + "`"),
                Suggestions.closest(name, candidates).map(s -> "did you mean `" + s + "`?").orElse(null));
        return Val.ERROR;
    }

    /** Calling a name bound in scope: only a layer value can be called, with tensors only. */
    private Val callBound(Scope.Binding bound, Expr.Call call, List<Val.Tensor> chainInputs, Env env) {
        if (bound.value instanceof Val.Error) {
            return Val.ERROR;
        }
        if (!(bound.value instanceof Val.Layer layer)) {
            return error(call.callee().span(), "`" + bound.name + "` is " + bound.value.describe() + ", not a layer or block; it cannot be called");
        }
        List<Val.Tensor> inputs = new ArrayList<>(chainInputs);
        for (Expr.Arg arg : call.args()) {
            if (arg.name().isPresent()) {
                return error(arg.span(), "`" + bound.name + "` already has its arguments; pass only tensors to it");
            }
            Val v = eval(arg.value(), env);
            if (v instanceof Val.Error) {
                return Val.ERROR;
            }
            if (!(v instanceof Val.Tensor t)) {
                return error(arg.span(), "`" + bound.name + "` already has its arguments; pass only tensors to it, got " + v.describe());
            }
            inputs.add(t);
        }
        return apply(layer.instance(), inputs, call.span());
    }

    /**
     * {@code dense(10)}, {@code dense(x, 10)}, {@code add(a, b)}: leading positional tensors become
     * inputs after the chain input; a call with no tensor at all is a layer value.
     */
    private Val layerCall(LayerSpec spec, Expr.Call call, List<Val.Tensor> chainInputs, Env env) {
        List<Val.Tensor> inputs = new ArrayList<>(chainInputs);
        Map<Integer, Val> preEvaluated = new HashMap<>();
        int consumed = 0;
        List<Expr.Arg> args = call.args();
        while (consumed < args.size() && args.get(consumed).name().isEmpty() && inputs.size() < spec.maxInputs()) {
            Val v = eval(args.get(consumed).value(), env);
            if (v instanceof Val.Error) {
                return Val.ERROR;
            }
            if (!(v instanceof Val.Tensor t)) {
                preEvaluated.put(0, v);
                break;
            }
            inputs.add(t);
            consumed++;
        }
        List<Expr.Arg> rest = args.subList(consumed, args.size());
        if (inputs.isEmpty()) {
            if (preEvaluated.get(0) instanceof Val.Symbol s && spec.params().stream().noneMatch(p -> p.type() instanceof ArgType.EnumArg || p.type() instanceof ArgType.PaddingArg)) {
                return unknownName(s, env);
            }
            return binder.bind("`" + spec.name() + "`", spec.params(), rest, preEvaluated, call.span(), env)
                    .<Val>map(a -> new Val.Layer(new LayerInstance(spec, a, env.nextPath(spec.name()), call.span())))
                    .orElse(Val.ERROR);
        }
        return applyNew(spec, inputs, rest, preEvaluated, call.span(), env);
    }

    private Val applyNew(LayerSpec spec, List<Val.Tensor> inputs, List<Expr.Arg> args, Map<Integer, Val> preEvaluated,
            Span span, Env env) {
        if (inputs.size() < spec.minInputs()) {
            String example = spec.minInputs() == 2 ? " (write `a -> " + spec.name() + "(b)` or `" + spec.name() + "(a, b)`)" : "";
            return error(span, "`" + spec.name() + "` takes " + spec.arityText() + ", got " + inputs.size() + example);
        }
        String path = env.nextPath(spec.name());
        Optional<Args> bound = binder.bind("`" + spec.name() + "`", spec.params(), args, preEvaluated, span, env);
        if (bound.isEmpty()) {
            return Val.ERROR;
        }
        return apply(new LayerInstance(spec, bound.get(), path, span), inputs, span);
    }

    /** Runs a layer's rule; a shared instance keeps its parameters across applications. */
    Val apply(LayerInstance instance, List<Val.Tensor> inputs, Span span) {
        LayerSpec spec = instance.spec();
        if (inputs.size() < spec.minInputs() || inputs.size() > spec.maxInputs()) {
            return error(span, "`" + spec.name() + "` takes " + spec.arityText() + ", got " + inputs.size());
        }
        instance.applied();
        LayerCall call = new LayerCall(this, instance, inputs, span, instance.path());
        try {
            return spec.rule().apply(call);
        } catch (LayerCall.LayerException e) {
            return call.fail(e);
        }
    }

    private Val binary(Expr.Binary b, Env env) {
        Val left = eval(b.left(), env);
        Val right = eval(b.right(), env);
        if (left instanceof Val.Error || right instanceof Val.Error) {
            return Val.ERROR;
        }
        if (left instanceof Val.Symbol s) {
            return unknownName(s, env);
        }
        if (right instanceof Val.Symbol s) {
            return unknownName(s, env);
        }
        String symbol = b.op().symbol();
        if (left instanceof Val.Tensor l && right instanceof Val.Tensor r) {
            String kind = switch (b.op()) {
                case ADD -> "add";
                case SUB -> "sub";
                case MUL -> "mul";
                case DIV -> null;
            };
            if (kind == null) {
                return error(b.span(), "`/` between tensors is not supported; divide by a number instead");
            }
            return elementwise(kind, b.op(), l, r, b.span(), env);
        }
        if (left instanceof Val.Tensor t && isNumber(right)) {
            return scale(t, b.op(), number(right), false, b.span(), env);
        }
        if (right instanceof Val.Tensor t && isNumber(left)) {
            return scale(t, b.op(), number(left), true, b.span(), env);
        }
        if (isNumber(left) && isNumber(right)) {
            return fold(b, left, right);
        }
        return error(b.span(), "cannot apply `" + symbol + "` to " + left.describe() + " and " + right.describe());
    }

    private Val elementwise(String kind, Expr.BinaryOp op, Val.Tensor l, Val.Tensor r, Span span, Env env) {
        if (op == Expr.BinaryOp.SUB) {
            if (!l.type().equals(r.type())) {
                return shapeMismatch("-", l, r, span);
            }
            return emitDirect(new org.dnnc.compiler.ir.Binary(BinaryKind.SUB), List.of(l, r), span, env.nextPath("sub"), "`-`");
        }
        LayerSpec spec = registry.layer(kind).orElseThrow();
        LayerInstance instance = new LayerInstance(spec, Args.empty(), env.nextPath(kind), span);
        LayerCall call = new LayerCall(this, instance, List.of(l, r), span, instance.path());
        try {
            return CoreLayers.elementwise(call, op == Expr.BinaryOp.ADD ? BinaryKind.ADD : BinaryKind.MUL, op.symbol());
        } catch (LayerCall.LayerException e) {
            return call.fail(e);
        }
    }

    private Val shapeMismatch(String symbol, Val.Tensor l, Val.Tensor r, Span span) {
        report(diag(span, "shapes differ in `" + symbol + "`: " + l.type() + " from " + l.producer() + " vs "
                + r.type() + " from " + r.producer())
                .withNote(l.span(), "this " + l.type() + " comes from " + l.producer())
                .withNote(r.span(), "this " + r.type() + " comes from " + r.producer()));
        return Val.ERROR;
    }

    private Val scale(Val.Tensor t, Expr.BinaryOp op, double factor, boolean numberOnLeft, Span span, Env env) {
        double f;
        switch (op) {
            case MUL -> f = factor;
            case DIV -> {
                if (numberOnLeft) {
                    return error(span, "dividing a number by a tensor is not supported");
                }
                if (factor == 0) {
                    return error(span, "division by zero");
                }
                f = 1 / factor;
            }
            case SUB -> {
                if (numberOnLeft) {
                    return error(span, "subtracting a tensor from a number is not supported");
                }
                return error(span, "adding or subtracting a number to a tensor is not supported; use a layer with a bias");
            }
            default -> {
                return error(span, "adding or subtracting a number to a tensor is not supported; use a layer with a bias");
            }
        }
        return emitDirect(new Scale(f), List.of(t), span, env.nextPath("scale"), "`" + op.symbol() + "`");
    }

    private Val emitDirect(org.dnnc.compiler.ir.Op op, List<Val.Tensor> operands, Span span, String path, String producer) {
        try {
            int id = graph.add(op, operands.stream().map(Val.Tensor::id).toList(), new Origin(span, path));
            return new Val.Tensor(id, graph.type(id), producer, span);
        } catch (IrTypeException e) {
            return error(span, e.getMessage());
        }
    }

    private static boolean isNumber(Val v) {
        return v instanceof Val.Int || v instanceof Val.Real;
    }

    private static double number(Val v) {
        return v instanceof Val.Int i ? i.value() : ((Val.Real) v).value();
    }

    private Val fold(Expr.Binary b, Val left, Val right) {
        if (left instanceof Val.Int l && right instanceof Val.Int r) {
            try {
                return switch (b.op()) {
                    case ADD -> new Val.Int(Math.addExact(l.value(), r.value()));
                    case SUB -> new Val.Int(Math.subtractExact(l.value(), r.value()));
                    case MUL -> new Val.Int(Math.multiplyExact(l.value(), r.value()));
                    case DIV -> r.value() == 0 ? error(b.span(), "division by zero")
                            : l.value() % r.value() == 0 ? new Val.Int(l.value() / r.value())
                            : new Val.Real((double) l.value() / r.value());
                };
            } catch (ArithmeticException e) {
                return error(b.span(), "integer overflow in `" + b.op().symbol() + "`");
            }
        }
        double l = number(left);
        double r = number(right);
        return switch (b.op()) {
            case ADD -> new Val.Real(l + r);
            case SUB -> new Val.Real(l - r);
            case MUL -> new Val.Real(l * r);
            case DIV -> r == 0 ? error(b.span(), "division by zero") : new Val.Real(l / r);
        };
    }

    private Val negate(Expr.Negate n, Env env) {
        Val v = eval(n.operand(), env);
        if (v instanceof Val.Int i) {
            return i.value() == Long.MIN_VALUE ? error(n.span(), "integer overflow in `-`") : new Val.Int(-i.value());
        }
        if (v instanceof Val.Real r) {
            return new Val.Real(-r.value());
        }
        if (v instanceof Val.Tensor t) {
            return emitDirect(new Scale(-1), List.of(t), n.span(), env.nextPath("scale"), "`-`");
        }
        if (v instanceof Val.Symbol s) {
            return unknownName(s, env);
        }
        if (v instanceof Val.Error) {
            return v;
        }
        return error(n.span(), "cannot negate " + v.describe());
    }

    // ---- blocks ---------------------------------------------------------------------------

    private Val expand(Member.BlockDecl block, List<Val.Tensor> chainInputs, List<Expr.Arg> args, Span callSite, Env env) {
        String name = block.name().text();
        calledBlocks.add(name);
        for (Expansion e : expansions) {
            if (e.block() == block) {
                List<String> cycle = new ArrayList<>();
                for (var it = expansions.descendingIterator(); it.hasNext(); ) {
                    cycle.add(it.next().block().name().text());
                }
                cycle.add(name);
                return error(callSite, "block `" + name + "` is recursive: " + String.join(" -> ", cycle.subList(cycle.indexOf(name), cycle.size())));
            }
        }
        if (inDefaults.contains(block)) {
            return error(callSite, "block `" + name + "` is recursive: a default value of its parameters calls it");
        }
        Env inner = new Env(Scope.block(name), env.nextPath(name));
        if (!BlockBinder.bind(this, block, chainInputs, args, callSite, env, inner)) {
            return Val.ERROR;
        }
        expansions.push(new Expansion(block, callSite));
        try {
            for (Member.Binding b : block.body()) {
                if (inner.scope.peek(b.name().text()).isPresent()) {
                    error(b.name().span(), "`" + b.name().text() + "` is already defined in block `" + name + "`");
                    continue;
                }
                Val v = eval(b.value(), inner.child(b.name().text()));
                inner.scope.define(b.name().text(), v, b.name().span(), "value");
            }
            return eval(block.result(), inner);
        } finally {
            expansions.pop();
            for (Scope.Binding b : inner.scope.bindings()) {
                blockBindings.putIfAbsent(b.span, b);
                if (b.used) {
                    usedBlockNames.add(b.span);
                }
            }
        }
    }

    /** A parameter default of {@code block}, evaluated in the block's own scope. */
    Val evalDefault(Member.BlockDecl block, Expr value, Env inner) {
        inDefaults.add(block);
        try {
            return eval(value, inner);
        } finally {
            inDefaults.remove(block);
        }
    }

    /** Block values and parameters that no expansion ever read (for warnings). */
    List<Scope.Binding> unusedBlockBindings() {
        return blockBindings.values().stream()
                .filter(b -> !usedBlockNames.contains(b.span))
                .sorted(java.util.Comparator.comparingInt(b -> b.span.start()))
                .toList();
    }

    boolean wasCalled(String block) {
        return calledBlocks.contains(block);
    }
}
