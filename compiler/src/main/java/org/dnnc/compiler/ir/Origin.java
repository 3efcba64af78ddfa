package org.dnnc.compiler.ir;

import java.util.Objects;
import org.dnnc.compiler.diag.Span;

/**
 * Where a node came from, for messages and dumps: the source span and the path of the layer that
 * produced it, such as {@code logits.dense1} (empty when there is no layer).
 */
public record Origin(Span span, String path) {

    /** For nodes the compiler made up. */
    public static final Origin NONE = new Origin(Span.NONE, "");

    public Origin {
        Objects.requireNonNull(span, "span");
        Objects.requireNonNull(path, "path");
    }
}
