package org.dnnc.compiler.syntax;

import java.util.List;
import org.dnnc.compiler.diag.Span;

/** One line of the {@code train { }} section. */
public sealed interface TrainItem {
    Span span();

    /** {@code key = value;} e.g. {@code optimizer = adam(lr: 1e-3);} */
    record Setting(Ident key, Expr value, Span span) implements TrainItem {}

    /** A call on its own: {@code early_stop(monitor: val_loss, patience: 3);} */
    record Directive(Expr.Call call, Span span) implements TrainItem {}

    /** {@code augment image: flip_horizontal, shift(2);} — each stage a name or a call. */
    record Augment(Ident input, List<Expr> stages, Span span) implements TrainItem {
        public Augment {
            stages = List.copyOf(stages);
        }
    }
}
