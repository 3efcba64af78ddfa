package org.dnnc.compiler.sema;

import org.dnnc.compiler.diag.Span;

/** A resolved option: a registry entry's name with its bound arguments, e.g. {@code adam(lr: 0.001)}. */
public record Option(String name, Args args, Span span) {
    @Override
    public String toString() {
        return args.isEmpty() ? name : name + "(" + args + ")";
    }
}
