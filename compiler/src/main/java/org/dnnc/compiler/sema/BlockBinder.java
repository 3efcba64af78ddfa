package org.dnnc.compiler.sema;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.dnnc.compiler.diag.Span;
import org.dnnc.compiler.diag.Suggestions;
import org.dnnc.compiler.syntax.Expr;
import org.dnnc.compiler.syntax.Member;

/**
 * Binds a block call's arguments to the block's parameters: the chain input first, then positional
 * and named arguments, then defaults (evaluated in the block, so they may use earlier parameters).
 */
final class BlockBinder {
    /** Parameter type names; no type means a tensor. */
    static final List<String> TYPES = List.of("tensor", "int", "float", "bool", "string");

    private BlockBinder() {}

    static boolean bind(Evaluator ev, Member.BlockDecl block, List<Val.Tensor> chainInputs, List<Expr.Arg> args,
            Span callSite, Env caller, Env inner) {
        String owner = "block `" + block.name().text() + "`";
        List<Member.Param> params = block.params();
        Map<String, Val> given = new LinkedHashMap<>();
        boolean ok = true;
        int position = 0;
        for (Val.Tensor t : chainInputs) {
            if (position >= params.size()) {
                ev.error(callSite, owner + " has no parameter for its input");
                return false;
            }
            given.put(params.get(position++).name().text(), t);
        }
        boolean sawNamed = false;
        for (Expr.Arg arg : args) {
            Val v = ev.eval(arg.value(), caller);
            if (arg.name().isEmpty()) {
                if (sawNamed) {
                    ev.error(arg.span(), "positional argument after a named argument");
                    ok = false;
                } else if (position >= params.size()) {
                    ev.error(arg.span(), owner + " takes " + params.size() + " parameter" + (params.size() == 1 ? "" : "s")
                            + (chainInputs.isEmpty() ? "" : " (the first is the input before `->`)") + ", got more");
                    ok = false;
                } else {
                    given.put(params.get(position++).name().text(), v);
                }
                continue;
            }
            sawNamed = true;
            String name = arg.name().get().text();
            Optional<Member.Param> p = params.stream().filter(x -> x.name().text().equals(name)).findFirst();
            if (p.isEmpty()) {
                List<String> names = params.stream().map(x -> x.name().text()).toList();
                ev.report(ev.diag(arg.name().get().span(), owner + " has no parameter `" + name + "`"),
                        Suggestions.closest(name, names).map(s -> "did you mean `" + s + "`?").orElse(null));
                ok = false;
            } else if (given.containsKey(name)) {
                ev.error(arg.span(), "parameter `" + name + "` of " + owner + " is given twice");
                ok = false;
            } else {
                given.put(name, v);
            }
        }
        for (Member.Param p : params) {
            String name = p.name().text();
            Val v = given.get(name);
            if (v == null) {
                if (p.defaultValue().isEmpty()) {
                    ev.report(ev.diag(callSite, owner + " needs parameter `" + name + "`").withNote(p.span(), "`" + name + "` is declared here"));
                    ok = false;
                    continue;
                }
                v = ev.evalDefault(block, p.defaultValue().get(), inner);
            }
            Val checked = check(ev, owner, p, v, callSite, caller);
            if (checked == null) {
                ok = false;
                checked = Val.ERROR;
            }
            inner.scope.define(name, checked, p.name().span(), "parameter");
        }
        return ok;
    }

    /** Checks a value against the declared parameter type; returns it (converted) or null after reporting. */
    private static Val check(Evaluator ev, String owner, Member.Param p, Val v, Span callSite, Env caller) {
        if (v instanceof Val.Error) {
            return v;
        }
        if (v instanceof Val.Symbol s) {
            ev.unknownName(s, caller);
            return null;
        }
        String type = p.type().map(t -> t.text()).orElse("tensor");
        boolean fits = switch (type) {
            case "tensor" -> v instanceof Val.Tensor;
            case "int" -> v instanceof Val.Int;
            case "float" -> v instanceof Val.Int || v instanceof Val.Real;
            case "bool" -> v instanceof Val.Bool;
            case "string" -> v instanceof Val.Str;
            default -> true;
        };
        if (!fits) {
            ev.report(ev.diag(callSite, "parameter `" + p.name().text() + "` of " + owner + " must be "
                    + (type.equals("tensor") ? "a tensor" : "of type `" + type + "`") + ", got " + v.describe())
                    .withNote(p.span(), "declared here"));
            return null;
        }
        if (type.equals("float") && v instanceof Val.Int i) {
            return new Val.Real(i.value());
        }
        return v;
    }
}
