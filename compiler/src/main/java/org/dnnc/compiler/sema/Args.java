package org.dnnc.compiler.sema;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Arguments bound to a signature, defaults filled in. Values are Long, Double, Boolean, String,
 * int[2], {@link Padding}, {@link Duration}, {@link Option}, {@link LayerInstance} or a list of names.
 */
public final class Args {
    private final Map<String, Object> values;

    Args(Map<String, Object> values) {
        this.values = Collections.unmodifiableMap(new LinkedHashMap<>(values));
    }

    public static Args empty() {
        return new Args(Map.of());
    }

    public boolean has(String name) {
        return values.containsKey(name);
    }

    public boolean isEmpty() {
        return values.isEmpty();
    }

    public Map<String, Object> asMap() {
        return values;
    }

    public int integer(String name) {
        return Math.toIntExact((Long) get(name));
    }

    public double real(String name) {
        return ((Number) get(name)).doubleValue();
    }

    public boolean bool(String name) {
        return (Boolean) get(name);
    }

    public String string(String name) {
        return (String) get(name);
    }

    public int[] pair(String name) {
        return (int[]) get(name);
    }

    public Padding padding(String name) {
        return (Padding) get(name);
    }

    public Duration duration(String name) {
        return (Duration) get(name);
    }

    public Option option(String name) {
        return (Option) get(name);
    }

    public LayerInstance layer(String name) {
        return (LayerInstance) get(name);
    }

    @SuppressWarnings("unchecked")
    public int[] ints(String name) {
        return ((List<Long>) get(name)).stream().mapToInt(Math::toIntExact).toArray();
    }

    private Object get(String name) {
        Object v = values.get(name);
        if (v == null) {
            throw new IllegalArgumentException("no argument `" + name + "`");
        }
        return v;
    }

    @Override
    public String toString() {
        return values.entrySet().stream()
                .map(e -> e.getKey() + ": " + show(e.getValue()))
                .collect(Collectors.joining(", "));
    }

    private static String show(Object v) {
        if (v instanceof int[] pair) {
            return "[" + pair[0] + ", " + pair[1] + "]";
        }
        if (v instanceof String s) {
            return s;
        }
        return String.valueOf(v);
    }
}
