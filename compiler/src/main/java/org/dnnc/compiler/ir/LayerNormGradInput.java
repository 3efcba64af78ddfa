package org.dnnc.compiler.ir;

import java.util.List;
import java.util.Map;

/**
 * The gradient of {@link LayerNorm} with respect to its input; the statistics are recomputed from x. Operands: dy, x, gamma.
 */
public record LayerNormGradInput(double eps) implements Op {

    @Override
    public Differentiability differentiability() {
        return Differentiability.BUILT_BY_AUTODIFF;
    }

    @Override
    public String mnemonic() {
        return "layernorm_grad_input";
    }

    @Override
    public int arity() {
        return 3;
    }

    @Override
    public Map<String, Object> attrs() {
        return Attrs.of("eps", eps);
    }

    @Override
    public TensorType inferType(List<TensorType> operands) throws IrTypeException {
        Checks.arity(this, operands);
        Checks.positiveNumber(this, "eps", eps);
        Checks.sameType(this, operands.get(0), operands.get(1));
        TensorType x = operands.get(1);
        Checks.f32(this, "input", x);
        TensorType gamma = operands.get(2);
        Checks.rank(this, "gamma", gamma, 1, "[C]");
        return x;
    }
}
