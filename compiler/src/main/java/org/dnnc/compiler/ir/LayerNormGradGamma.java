package org.dnnc.compiler.ir;

import java.util.List;
import java.util.Map;

/**
 * The gradient of {@link LayerNorm} with respect to gamma, {@code Σ dy · x̂} per feature; the statistics are recomputed from x. Operands: dy, x.
 */
public record LayerNormGradGamma(double eps) implements Op {

    @Override
    public Differentiability differentiability() {
        return Differentiability.BUILT_BY_AUTODIFF;
    }

    @Override
    public String mnemonic() {
        return "layernorm_grad_gamma";
    }

    @Override
    public int arity() {
        return 2;
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
        return TensorType.f32(Dim.of(Checks.fixed(this, "the last dimension", x, -1)));
    }
}
