package org.dnnc.compiler.ir;

import java.util.List;
import java.util.Map;

/** Layer normalization over the last axis of x {@code [..., D]}, with gamma and beta of {@code [D]}. */
public record LayerNorm(double eps) implements Op {

    @Override
    public Differentiability differentiability() {
        return Differentiability.DIFFERENTIABLE;
    }

    @Override
    public String mnemonic() {
        return "layernorm";
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
        TensorType x = operands.get(0);
        Checks.f32(this, "input", x);
        Checks.minRank(this, "input", x, 1);
        int features = Checks.fixed(this, "the last dimension", x, -1);
        TensorType expected = TensorType.f32(Dim.of(features));
        Checks.expect(this, "gamma", operands.get(1), expected);
        Checks.expect(this, "beta", operands.get(2), expected);
        return x;
    }
}
