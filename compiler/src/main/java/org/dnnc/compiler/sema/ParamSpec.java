package org.dnnc.compiler.sema;

/**
 * One argument of a layer or option: its name, type, and default. A required argument has no
 * default; an optional one without a default is simply absent (e.g. a pooling stride that
 * follows the pooling size).
 */
public record ParamSpec(String name, ArgType type, boolean required, Object defaultValue, String doc) {

    public static ParamSpec required(String name, ArgType type, String doc) {
        return new ParamSpec(name, type, true, null, doc);
    }

    public static ParamSpec optional(String name, ArgType type, Object defaultValue, String doc) {
        return new ParamSpec(name, type, false, defaultValue, doc);
    }

    /** How the default reads in docs and help: {@code 1e-05}, {@code same}, {@code —}. */
    public String defaultText() {
        if (required) {
            return "required";
        }
        if (defaultValue == null) {
            return "(see description)";
        }
        if (defaultValue instanceof int[] pair) {
            return "[" + pair[0] + ", " + pair[1] + "]";
        }
        if (defaultValue instanceof Double d) {
            return org.dnnc.compiler.ir.AttrText.number(d);
        }
        return String.valueOf(defaultValue);
    }
}
