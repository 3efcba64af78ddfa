package org.dnnc.compiler.ir;

import java.util.List;
import java.util.Map;

/**
 * The gradient of an {@link AttentionDecoder} with respect to one of its operands ({@code wrt}),
 * back through time. Its operands are the gradient of the decoder's result, the result itself
 * (whose node's call saved what this one reads) and the decoder's operands. The gradients of one
 * decoder share all their work, so one call computes them (see {@code CallGroups}).
 */
public record AttentionDecoderGrad(AttentionDecoder forward, Wrt wrt) implements Op {

    /** The operand of the decoder whose gradient this is. */
    public enum Wrt {
        X, VALUES, W_IH, W_HH, B_IH, B_HH, W, V, INITIAL_STATE;

        /** The index of this operand among the decoder's, or -1 for an initial state it lacks. */
        public int operand(AttentionDecoder decoder) {
            return this == INITIAL_STATE ? decoder.initialStateOperand() : ordinal();
        }
    }

    /** Where the decoder's own operands start among this op's operands. */
    public static final int LAYER_OPERANDS = 2;

    @Override
    public Differentiability differentiability() {
        return Differentiability.BUILT_BY_AUTODIFF;
    }

    @Override
    public String mnemonic() {
        return forward.mnemonic() + "_grad";
    }

    @Override
    public int arity() {
        return LAYER_OPERANDS + forward.arity();
    }

    @Override
    public Map<String, Object> attrs() {
        return Checks.withWrt(forward.attrs(), wrt);
    }

    @Override
    public TensorType inferType(List<TensorType> operands) throws IrTypeException {
        return Checks.layerGradient(this, forward, operands, wrt.operand(forward), "the decoder has no initial state");
    }
}
