package org.dnnc.compiler.ir;

import java.util.List;
import java.util.Map;

/**
 * The gradient of {@link MatMul} with respect to its weight: {@code dW = dyᵀ·x} summed over every
 * leading dimension, dy {@code [..., M]}, x {@code [..., K]}, giving {@code [M, K]}.
 */
public record MatMulGradWeight() implements Op {

    @Override
    public Differentiability differentiability() {
        return Differentiability.BUILT_BY_AUTODIFF;
    }

    @Override
    public String mnemonic() {
        return "matmul_grad_weight";
    }

    @Override
    public int arity() {
        return 2;
    }

    @Override
    public Map<String, Object> attrs() {
        return Map.of();
    }

    @Override
    public TensorType inferType(List<TensorType> operands) throws IrTypeException {
        Checks.arity(this, operands);
        TensorType dy = operands.get(0);
        TensorType x = operands.get(1);
        Checks.f32(this, "gradient", dy);
        Checks.f32(this, "input", x);
        Checks.minRank(this, "gradient", dy, 1);
        if (dy.rank() != x.rank() || !dy.dims().subList(0, dy.rank() - 1).equals(x.dims().subList(0, x.rank() - 1))) {
            throw Checks.fail(this, "gradient and input differ in their leading dimensions (" + dy + " vs " + x + ")");
        }
        return TensorType.f32(dy.dim(-1), x.dim(-1));
    }
}
