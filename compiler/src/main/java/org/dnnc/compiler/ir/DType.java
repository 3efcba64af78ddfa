package org.dnnc.compiler.ir;

import java.util.Locale;

/** Element types of tensors: 32-bit floats for activations and weights, 32-bit ints for ids and labels. */
public enum DType {
    F32,
    I32;

    /** The name used in printed types: {@code f32}, {@code i32}. */
    public String mnemonic() {
        return name().toLowerCase(Locale.ROOT);
    }
}
