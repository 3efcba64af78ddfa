package org.dnnc.compiler.ir;

/**
 * An operation cannot be applied to its operands. The message is written for the user of the
 * language, e.g. {@code matmul: input has 100 features but the weight expects 784 (f32[N,100] x
 * f32[256,784])}.
 */
public final class IrTypeException extends Exception {

    public IrTypeException(String message) {
        super(message);
    }
}
