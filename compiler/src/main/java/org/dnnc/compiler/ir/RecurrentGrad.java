package org.dnnc.compiler.ir;

import java.util.List;
import java.util.Map;

/**
 * The gradient of a {@link Recurrent} layer with respect to one of its operands ({@code wrt}),
 * back through time. Its operands are the gradient of the layer's result, the result itself (whose
 * node's call saved the per-step gates and states that this one reads), and the layer's operands:
 * {@code (dy, y, x, w_ih, w_hh, b_ih, b_hh)}, then the lengths and the initial state when the
 * layer has them. The
 * gradients of one layer share all their work, so they are computed by one call (see {@code
 * CallGroups}).
 */
public record RecurrentGrad(Recurrent forward, Wrt wrt) implements Op {

    /** The operand of the layer whose gradient this is, by its place among the layer's operands. */
    public enum Wrt {
        X(0), W_IH(1), W_HH(2), B_IH(3), B_HH(4), INITIAL_STATE(-1);

        private final int layerOperand;

        Wrt(int layerOperand) {
            this.layerOperand = layerOperand;
        }

        /** The index of this operand in the inputs of a node of {@code layer}, or -1 for an initial state it lacks. */
        public int operand(Recurrent layer) {
            return this == INITIAL_STATE ? layer.initialStateOperand() : layerOperand;
        }
    }

    /** Where the layer's own operands start among this op's operands. */
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
        return Checks.layerGradient(this, forward, operands, wrt.operand(forward), "the layer has no initial state");
    }
}
