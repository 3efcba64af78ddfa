package org.dnnc.compiler.sema;

import java.util.List;

/** Short constructors for argument types, so registrations read like tables. */
final class Specs {
    private Specs() {}

    static final ArgType BOOL = new ArgType.BoolArg();
    static final ArgType STRING = new ArgType.StrArg();
    static final ArgType POSITIVE_INT = new ArgType.IntArg(1, Integer.MAX_VALUE);
    static final ArgType POSITIVE_REAL = new ArgType.RealArg(0, Double.POSITIVE_INFINITY, true, false);
    static final ArgType NON_NEGATIVE_REAL = new ArgType.RealArg(0, Double.POSITIVE_INFINITY, false, false);
    static final ArgType ANY_INT = new ArgType.IntArg(Integer.MIN_VALUE, Integer.MAX_VALUE);
    static final ArgType ANY_REAL = new ArgType.RealArg(Double.NEGATIVE_INFINITY, Double.POSITIVE_INFINITY, false, false);
    static final ArgType PROBABILITY = new ArgType.RealArg(0, 1, false, true);
    static final ArgType UNIT_INTERVAL_OPEN = new ArgType.RealArg(0, 1, true, true);
    static final ArgType PADDING = new ArgType.PaddingArg();
    static final ArgType INIT = new ArgType.OptionArg(Category.INITIALIZER);
    static final ArgType DURATION = new ArgType.DurationArg(List.of("epochs", "steps"));

    static ArgType intAtLeast(long min) {
        return new ArgType.IntArg(min, Integer.MAX_VALUE);
    }

    static ArgType pair(long min) {
        return new ArgType.PairArg(min);
    }

    static ArgType oneOf(String... values) {
        return new ArgType.EnumArg(List.of(values));
    }

    static ParamSpec req(String name, ArgType type, String doc) {
        return ParamSpec.required(name, type, doc);
    }

    static ParamSpec opt(String name, ArgType type, Object defaultValue, String doc) {
        return ParamSpec.optional(name, type, defaultValue, doc);
    }
}
