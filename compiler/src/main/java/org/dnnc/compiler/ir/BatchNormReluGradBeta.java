package org.dnnc.compiler.ir;

import java.util.List;
import java.util.Map;

/**
 * The gradient of a fused {@code batchnorm_relu} with respect to beta: {@code Σ dy · [y > 0]} per
 * channel (axis 1), where dy is the gradient of the ReLU's output y. Operands: dy, y. Unfused,
 * this is a {@code bias_grad} of the ReLU's gradient.
 */
public record BatchNormReluGradBeta() implements Op {

    @Override
    public Differentiability differentiability() {
        return Differentiability.BUILT_AFTER_AUTODIFF;
    }

    @Override
    public String mnemonic() {
        return "batchnorm_relu_grad_beta";
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
        Checks.sameType(this, operands.get(0), operands.get(1));
        TensorType y = operands.get(1);
        Checks.f32(this, "output", y);
        Checks.minRank(this, "output", y, 2);
        return TensorType.f32(Dim.of(Checks.fixed(this, "the channel count", y, 1)));
    }
}
