package org.dnnc.compiler.ir;

import java.util.List;
import java.util.Map;

/**
 * The gradient of an {@link AdditiveAttention} with respect to one of its operands ({@code wrt}).
 * Its operands are the gradient of the context, the context itself (whose node's call saved the
 * projections, {@code tanh}s and weights that this one reads) and the attention's operands: {@code
 * (dy, y, query, values, W, v)}, then the lengths when it has them. The gradients of one attention
 * share all their work, so one call computes them (see {@code CallGroups}).
 */
public record AdditiveAttentionGrad(AdditiveAttention forward, Wrt wrt) implements Op {

    /** The operand of the attention whose gradient this is, by its place among the attention's operands. */
    public enum Wrt {
        QUERY(0), VALUES(1), W(2), V(3);

        private final int operand;

        Wrt(int operand) {
            this.operand = operand;
        }

        /** The index of this operand in the {@link AdditiveAttention} node's inputs. */
        public int operand() {
            return operand;
        }
    }

    /** Where the attention's own operands start among this op's operands. */
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
        return Checks.layerGradient(this, forward, operands, wrt.operand(), "");
    }
}
