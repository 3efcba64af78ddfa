package org.dnnc.compiler.syntax;

import java.util.List;
import java.util.stream.Collectors;
import org.dnnc.compiler.diag.Span;

/** A dotted name such as {@code org.example.fashion}. */
public record QualifiedName(List<Ident> parts, Span span) {
    public QualifiedName {
        parts = List.copyOf(parts);
    }

    public String text() {
        return parts.stream().map(Ident::text).collect(Collectors.joining("."));
    }
}
