package org.dnnc.compiler.syntax;

import java.util.List;
import org.dnnc.compiler.diag.Span;

/** An input's element type and per-example shape: {@code float[1, 28, 28]}, {@code int[T <= 100]}, {@code int}. */
public record TypeExpr(Ident elementType, List<DimExpr> dims, Span span) {
    public TypeExpr {
        dims = List.copyOf(dims);
    }

    /** One dimension of a declared shape. */
    public sealed interface DimExpr {
        Span span();

        /** A fixed size (the parser keeps the text so that overflow is reported, not thrown). */
        record Fixed(String digits, Span span) implements DimExpr {}

        /** A variable length with an upper bound: {@code T <= 100}. */
        record Variable(Ident name, String maxDigits, Span span) implements DimExpr {}
    }
}
