package org.dnnc.compiler.sema;

import java.util.ArrayList;
import java.util.List;
import org.dnnc.compiler.diag.Span;
import org.dnnc.compiler.diag.Suggestions;

/** Converts an evaluated argument to the Java value its {@link ArgType} stands for, or reports why not. */
final class Conversions {
    private Conversions() {}

    /** Returns the converted value, or null once the problem has been reported. */
    static Object convert(Evaluator ev, String what, ArgType type, Val v, Span span, Env env) {
        if (v instanceof Val.Error) {
            return null;
        }
        if (v instanceof Val.Symbol s && !(type instanceof ArgType.EnumArg) && !(type instanceof ArgType.PaddingArg)) {
            ev.unknownName(s, env);
            return null;
        }
        if (v instanceof Val.Duration d && !(type instanceof ArgType.DurationArg)) {
            ev.report(ev.diag(span, what + " takes " + type.describe() + ", not a count of " + d.unit()),
                    "remove the unit `" + d.unit() + "`");
            return null;
        }
        Object result = null;
        if (type instanceof ArgType.IntArg t && v instanceof Val.Int i) {
            if (i.value() < t.min() || i.value() > t.max()) {
                return mismatch(ev, what, type, v, span);
            }
            result = i.value();
        } else if (type instanceof ArgType.RealArg t && (v instanceof Val.Int || v instanceof Val.Real)) {
            double d = v instanceof Val.Int i ? i.value() : ((Val.Real) v).value();
            boolean low = t.minExclusive() ? d <= t.min() : d < t.min();
            boolean high = t.maxExclusive() ? d >= t.max() : d > t.max();
            if (low || high) {
                return mismatch(ev, what, type, v, span);
            }
            result = d;
        } else if (type instanceof ArgType.BoolArg && v instanceof Val.Bool b) {
            result = b.value();
        } else if (type instanceof ArgType.StrArg && v instanceof Val.Str s) {
            result = s.value();
        } else if (type instanceof ArgType.EnumArg t) {
            return enumValue(ev, what, t, v, span);
        } else if (type instanceof ArgType.PairArg t) {
            result = pair(v, t.min());
        } else if (type instanceof ArgType.PaddingArg) {
            result = padding(v);
        } else if (type instanceof ArgType.DurationArg t) {
            return duration(ev, what, t, v, span);
        } else if (type instanceof ArgType.IntListArg t && v instanceof Val.ListOf list) {
            result = intList(list, t.min());
        }
        return result != null ? result : mismatch(ev, what, type, v, span);
    }

    private static Object mismatch(Evaluator ev, String what, ArgType type, Val v, Span span) {
        ev.error(span, what + " must be " + type.describe() + ", got " + v.describe());
        return null;
    }

    private static Object enumValue(Evaluator ev, String what, ArgType.EnumArg t, Val v, Span span) {
        String name = v instanceof Val.Symbol s ? s.name() : v instanceof Val.Str s ? s.value() : null;
        if (name != null && t.values().contains(name)) {
            return name;
        }
        if (name != null) {
            ev.report(ev.diag(span, what + " must be " + t.describe() + ", got `" + name + "`"),
                    Suggestions.closest(name, t.values()).map(s -> "did you mean `" + s + "`?").orElse(null));
            return null;
        }
        return mismatch(ev, what, t, v, span);
    }

    private static int[] pair(Val v, long min) {
        if (v instanceof Val.Int i && i.value() >= min && i.value() <= Integer.MAX_VALUE) {
            return new int[] {(int) i.value(), (int) i.value()};
        }
        if (v instanceof Val.ListOf list && list.items().size() == 2
                && list.items().get(0) instanceof Val.Int a && list.items().get(1) instanceof Val.Int b
                && a.value() >= min && b.value() >= min && a.value() <= Integer.MAX_VALUE && b.value() <= Integer.MAX_VALUE) {
            return new int[] {(int) a.value(), (int) b.value()};
        }
        return null;
    }

    private static Padding padding(Val v) {
        if (v instanceof Val.Symbol s) {
            return switch (s.name()) {
                case "same" -> new Padding.Same();
                case "valid" -> new Padding.Valid();
                default -> null;
            };
        }
        int[] p = pair(v, 0);
        return p == null ? null : new Padding.Explicit(p[0], p[1]);
    }

    private static Object duration(Evaluator ev, String what, ArgType.DurationArg t, Val v, Span span) {
        if (v instanceof Val.Duration d && t.units().contains(d.unit())) {
            if (d.amount() <= 0) {
                ev.error(span, what + " must be a positive count, got " + d.amount() + " " + d.unit());
                return null;
            }
            return new Duration(d.amount(), d.unit());
        }
        if (v instanceof Val.Int i) {
            ev.report(ev.diag(span, what + " needs a unit: " + String.join(" or ", t.units())),
                    "write `" + i.value() + " " + t.units().get(0) + "`");
            return null;
        }
        return mismatch(ev, what, t, v, span);
    }

    private static List<Long> intList(Val.ListOf list, long min) {
        List<Long> out = new ArrayList<>();
        for (Val item : list.items()) {
            if (!(item instanceof Val.Int i) || i.value() < min || i.value() > Integer.MAX_VALUE) {
                return null;
            }
            out.add(i.value());
        }
        return out.isEmpty() ? null : out;
    }
}
