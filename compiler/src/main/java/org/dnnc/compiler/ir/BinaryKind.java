package org.dnnc.compiler.ir;

/** The element-wise arithmetic of {@link Binary}. */
public enum BinaryKind {
    ADD,
    SUB,
    MUL
}
