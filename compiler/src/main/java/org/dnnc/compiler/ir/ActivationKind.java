package org.dnnc.compiler.ir;

/** The element-wise nonlinearities of {@link Activation}. */
public enum ActivationKind {
    RELU,
    /** {@code x} if positive, else {@code alpha * x}. */
    LEAKY_RELU,
    /** {@code x} if positive, else {@code alpha * (exp(x) - 1)}. */
    ELU,
    SIGMOID,
    TANH,
    IDENTITY;

    /** Whether the function has the parameter {@code alpha}. */
    public boolean usesAlpha() {
        return this == LEAKY_RELU || this == ELU;
    }
}
