package org.dnnc.compiler.ir;

import java.util.List;
import java.util.Map;

/**
 * The weights {@code alpha} of an {@link AdditiveAttention} over the same operands: {@code [N,T]}
 * for one query, {@code [N,Tq,T]} for a sequence of queries, zero past each example's length. The
 * attention is computed again for them, so that the context's node stays one value; it is a
 * result to look at, and training through it has no rule yet.
 */
public record AttentionWeights(AdditiveAttention attention) implements Op {

    @Override
    public Differentiability differentiability() {
        return Differentiability.DIFFERENTIABLE;
    }

    @Override
    public String mnemonic() {
        return "attention_weights";
    }

    @Override
    public int arity() {
        return attention.arity();
    }

    @Override
    public Map<String, Object> attrs() {
        return attention.attrs();
    }

    @Override
    public TensorType inferType(List<TensorType> operands) throws IrTypeException {
        try {
            return attention.weightsType(operands);
        } catch (IrTypeException e) {
            // The attention's own check names the attention; say which op refused.
            String prefix = attention.mnemonic() + ": ";
            String message = e.getMessage();
            throw Checks.fail(this, message.startsWith(prefix) ? message.substring(prefix.length()) : message);
        }
    }
}
