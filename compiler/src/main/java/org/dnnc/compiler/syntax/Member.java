package org.dnnc.compiler.syntax;

import java.util.List;
import java.util.Optional;
import org.dnnc.compiler.diag.Span;

/** What a network body holds. */
public sealed interface Member {
    Span span();

    /** {@code input image: float[1, 28, 28];} */
    record InputDecl(Ident name, TypeExpr type, Span span) implements Member {}

    /** {@code output probs = softmax(logits);} */
    record OutputDecl(Ident name, Expr value, Span span) implements Member {}

    /** {@code name = expr;} (also the statements of a block body). */
    record Binding(Ident name, Expr value, Span span) implements Member {}

    /** {@code block name(params) { bindings; result }}. */
    record BlockDecl(Ident name, List<Param> params, List<Binding> body, Expr result, Span span) implements Member {
        public BlockDecl {
            params = List.copyOf(params);
            body = List.copyOf(body);
        }
    }

    /** {@code train { items }}. */
    record TrainSection(List<TrainItem> items, Span span) implements Member {
        public TrainSection {
            items = List.copyOf(items);
        }
    }

    /** A block parameter: {@code x}, {@code channels: int}, {@code rate: float = 0.5}. No type means a tensor. */
    record Param(Ident name, Optional<Ident> type, Optional<Expr> defaultValue, Span span) {}
}
