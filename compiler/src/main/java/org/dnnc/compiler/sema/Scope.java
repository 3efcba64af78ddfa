package org.dnnc.compiler.sema;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.dnnc.compiler.diag.Span;

/**
 * Names visible at a point: the network's values, or one block expansion's parameters and values.
 * Block scopes have no parent: a block sees only what it is given.
 */
final class Scope {
    /** A named value and whether anything read it (for unused-value warnings). */
    static final class Binding {
        final String name;
        final Val value;
        final Span span;
        final String kind;
        boolean used;

        Binding(String name, Val value, Span span, String kind) {
            this.name = name;
            this.value = value;
            this.span = span;
            this.kind = kind;
        }
    }

    private final Map<String, Binding> vars = new LinkedHashMap<>();
    private final String blockName;

    private Scope(String blockName) {
        this.blockName = blockName;
    }

    static Scope network() {
        return new Scope(null);
    }

    static Scope block(String name) {
        return new Scope(name);
    }

    /** The block this scope belongs to, if any. */
    Optional<String> blockName() {
        return Optional.ofNullable(blockName);
    }

    Optional<Binding> lookup(String name) {
        Binding b = vars.get(name);
        if (b != null) {
            b.used = true;
        }
        return Optional.ofNullable(b);
    }

    Optional<Binding> peek(String name) {
        return Optional.ofNullable(vars.get(name));
    }

    void define(String name, Val value, Span span, String kind) {
        vars.put(name, new Binding(name, value, span, kind));
    }

    List<String> names() {
        return new ArrayList<>(vars.keySet());
    }

    List<Binding> bindings() {
        return new ArrayList<>(vars.values());
    }
}
