package org.dnnc.compiler.sema;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import org.dnnc.compiler.diag.Span;
import org.dnnc.compiler.diag.Suggestions;
import org.dnnc.compiler.syntax.Expr;

/**
 * Matches a call's arguments to a signature (positional first, then named), converts each to its
 * declared type and fills in defaults. Every problem is reported; binding fails if any was found.
 */
final class ArgBinder {
    private final Evaluator evaluator;
    private final Registry registry;

    ArgBinder(Evaluator evaluator, Registry registry) {
        this.evaluator = evaluator;
        this.registry = registry;
    }

    /**
     * Binds {@code args} to {@code params}. {@code preEvaluated} holds values of positional arguments
     * that the caller already evaluated (while looking for tensor inputs), by position.
     */
    Optional<Args> bind(String owner, List<ParamSpec> params, List<Expr.Arg> args, Map<Integer, Val> preEvaluated,
            Span callSpan, Env env) {
        boolean ok = true;
        Map<String, Expr.Arg> given = new LinkedHashMap<>();
        Map<String, Val> known = new HashMap<>();
        int position = 0;
        boolean sawNamed = false;
        for (int i = 0; i < args.size(); i++) {
            Expr.Arg arg = args.get(i);
            if (arg.name().isEmpty()) {
                if (sawNamed) {
                    evaluator.error(arg.span(), "positional argument after a named argument");
                    ok = false;
                    continue;
                }
                if (position >= params.size()) {
                    evaluator.error(arg.span(), owner + " takes " + countText(params) + ", got more");
                    ok = false;
                    continue;
                }
                ParamSpec p = params.get(position++);
                given.put(p.name(), arg);
                if (preEvaluated.containsKey(i)) {
                    known.put(p.name(), preEvaluated.get(i));
                }
            } else {
                sawNamed = true;
                String name = arg.name().get().text();
                Optional<ParamSpec> p = params.stream().filter(s -> s.name().equals(name)).findFirst();
                if (p.isEmpty()) {
                    List<String> names = params.stream().map(ParamSpec::name).toList();
                    evaluator.report(evaluator.diag(arg.name().get().span(), owner + " has no argument `" + name + "`"),
                            Suggestions.closest(name, names).map(s -> "did you mean `" + s + "`?")
                                    .orElse(names.isEmpty() ? owner + " takes no arguments" : "its arguments are " + quoteAll(names)));
                    ok = false;
                } else if (given.containsKey(name)) {
                    evaluator.error(arg.span(), "argument `" + name + "` of " + owner + " is given twice");
                    ok = false;
                } else {
                    given.put(name, arg);
                }
            }
        }
        Map<String, Object> values = new LinkedHashMap<>();
        for (ParamSpec p : params) {
            Expr.Arg arg = given.get(p.name());
            if (arg == null) {
                if (p.required()) {
                    evaluator.report(evaluator.diag(callSpan, owner + " needs argument `" + p.name() + "` (" + p.doc() + ")"),
                            "write it as `" + p.name() + ": ...` or by position");
                    ok = false;
                } else if (p.defaultValue() != null) {
                    values.put(p.name(), defaultValue(p, callSpan, env));
                }
                continue;
            }
            Object v = convert(owner, p, arg.value(), known.get(p.name()), env);
            if (v == null) {
                ok = false;
            } else {
                values.put(p.name(), v);
            }
        }
        return ok ? Optional.of(new Args(values)) : Optional.empty();
    }

    private Object defaultValue(ParamSpec p, Span span, Env env) {
        if (p.type() instanceof ArgType.OptionArg o && p.defaultValue() instanceof String name) {
            OptionSpec spec = registry.option(name, o.category()).orElseThrow();
            return new Option(name, bind("`" + name + "`", spec.params(), List.of(), Map.of(), span, env).orElseThrow(), Span.NONE);
        }
        return p.defaultValue();
    }

    /** Converts one argument; returns null after reporting when it does not fit. */
    private Object convert(String owner, ParamSpec p, Expr expr, Val preEvaluated, Env env) {
        String what = "argument `" + p.name() + "` of " + owner;
        ArgType type = p.type();
        if (type instanceof ArgType.OptionArg o) {
            return option(o.category(), expr, env);
        }
        if (type instanceof ArgType.LayerArg l) {
            return layer(what, l, expr, env);
        }
        if (type instanceof ArgType.ValueNameArg) {
            if (expr instanceof Expr.Name n && evaluator.isNetworkValue(n.ident().text())) {
                evaluator.markUsed(n.ident().text());
                return n.ident().text();
            }
            // A misspelt name gets the closest value of the network as a hint.
            String hint = expr instanceof Expr.Name n
                    ? Suggestions.closest(n.ident().text(), evaluator.networkValueNames())
                            .map(s -> "did you mean `" + s + "`?").orElse(null)
                    : null;
            evaluator.report(evaluator.diag(expr.span(), what + " must be " + type.describe()), hint);
            return null;
        }
        Val v = preEvaluated != null ? preEvaluated : evaluator.eval(expr, env);
        return Conversions.convert(evaluator, what, type, v, expr.span(), env);
    }

    Option option(Category category, Expr expr, Env env) {
        Expr.Call call;
        if (expr instanceof Expr.Call c) {
            call = c;
        } else if (expr instanceof Expr.Name n) {
            call = new Expr.Call(n.ident(), List.of(), n.span());
        } else {
            evaluator.error(expr.span(), "expected " + category.withArticle() + " (" + String.join(", ", registry.names(category)) + ")");
            return null;
        }
        String name = call.callee().text();
        Optional<OptionSpec> spec = registry.option(name, category);
        if (spec.isEmpty()) {
            evaluator.report(evaluator.diag(call.callee().span(), "unknown " + category.words() + " `" + name + "`"),
                    Suggestions.closest(name, registry.names(category)).map(s -> "did you mean `" + s + "`?")
                            .orElse("known: " + quoteAll(registry.names(category))));
            return null;
        }
        return bind("`" + name + "`", spec.get().params(), call.args(), Map.of(), call.span(), env)
                .map(args -> new Option(name, args, call.span()))
                .orElse(null);
    }

    private LayerInstance layer(String what, ArgType.LayerArg type, Expr expr, Env env) {
        Val v = expr instanceof Expr.Name n && registry.layer(n.ident().text()).isPresent()
                ? evaluator.unappliedLayer(n.ident().text(), n.span(), env)
                : evaluator.eval(expr, env);
        if (v instanceof Val.Error) {
            return null;
        }
        if (v instanceof Val.Layer layer && type.layers().contains(layer.instance().spec().name())) {
            return layer.instance();
        }
        evaluator.error(expr.span(), what + " must be " + type.describe() + ", got " + v.describe());
        return null;
    }

    private static String countText(List<ParamSpec> params) {
        if (params.isEmpty()) {
            return "no arguments";
        }
        return params.size() + (params.size() == 1 ? " argument (" : " arguments (")
                + String.join(", ", params.stream().map(ParamSpec::name).toList()) + ")";
    }

    static String quoteAll(List<String> names) {
        List<String> quoted = new ArrayList<>();
        for (String n : names) {
            quoted.add("`" + n + "`");
        }
        return String.join(", ", quoted);
    }

    static Function<String, String> didYouMean(List<String> candidates) {
        return name -> Suggestions.closest(name, candidates).map(s -> "did you mean `" + s + "`?").orElse(null);
    }
}
