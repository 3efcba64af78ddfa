package org.dnnc.compiler.codegen;

import org.dnnc.compiler.ir.Origin;

/** A network the code generator cannot emit yet, with the node that stops it. */
public final class CodegenException extends Exception {
    private final transient Origin origin;

    public CodegenException(String message, Origin origin) {
        super(message);
        this.origin = origin;
    }

    public Origin origin() {
        return origin;
    }
}
