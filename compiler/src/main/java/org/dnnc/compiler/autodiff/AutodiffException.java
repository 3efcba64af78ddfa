package org.dnnc.compiler.autodiff;

import org.dnnc.compiler.ir.Origin;

/** A network that cannot be differentiated, with the node that stops it, for a diagnostic at its source. */
public final class AutodiffException extends Exception {
    private final transient Origin origin;

    public AutodiffException(String message, Origin origin) {
        super(message);
        this.origin = origin;
    }

    public Origin origin() {
        return origin;
    }
}
