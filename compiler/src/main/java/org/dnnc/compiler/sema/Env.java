package org.dnnc.compiler.sema;

import java.util.HashMap;
import java.util.Map;

/**
 * Where an expression is evaluated: the visible names, and the path that names the layers it
 * creates ({@code logits.dense1}, {@code logits.residual2.y.conv2d1}).
 */
final class Env {
    final Scope scope;
    private final String path;
    private final Map<String, Integer> counters = new HashMap<>();

    Env(Scope scope, String path) {
        this.scope = scope;
        this.path = path;
    }

    String path() {
        return path;
    }

    /** The next layer path for {@code kind} here: {@code dense1}, then {@code dense2}... */
    String nextPath(String kind) {
        int n = counters.merge(kind, 1, Integer::sum);
        return join(path, kind + n);
    }

    /** The same scope under a sub-path (the value a binding names). */
    Env child(String name) {
        return new Env(scope, join(path, name));
    }

    private static String join(String prefix, String name) {
        return prefix.isEmpty() ? name : prefix + "." + name;
    }
}
