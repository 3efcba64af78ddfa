package org.dnnc.compiler.ir;

import java.util.List;
import java.util.Map;

/**
 * The attention weights of every step of an {@link AttentionDecoder} over the same operands,
 * {@code [N,S,T]}, zero past each example's value length. The decoder runs again for them, so that
 * its node stays one value; they are a result to look at, and training through them has no rule
 * yet.
 */
public record DecoderWeights(AttentionDecoder decoder) implements Op {

    @Override
    public Differentiability differentiability() {
        return Differentiability.DIFFERENTIABLE;
    }

    @Override
    public String mnemonic() {
        return "decoder_weights";
    }

    @Override
    public int arity() {
        return decoder.arity();
    }

    @Override
    public Map<String, Object> attrs() {
        return decoder.attrs();
    }

    @Override
    public TensorType inferType(List<TensorType> operands) throws IrTypeException {
        try {
            return decoder.weightsType(operands);
        } catch (IrTypeException e) {
            String prefix = decoder.mnemonic() + ": ";
            String message = e.getMessage();
            throw Checks.fail(this, message.startsWith(prefix) ? message.substring(prefix.length()) : message);
        }
    }
}
