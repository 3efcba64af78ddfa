package org.dnnc.compiler.ir;

import java.util.List;
import java.util.Map;

/**
 * The gradient of {@link BatchNormInference} with respect to its input, for a frozen layer that
 * normalizes with its running statistics in training: {@code dx = dy * gamma / sqrt(running_var +
 * eps)}, the statistics being constants. Operands: dy, gamma, running_var.
 */
public record BatchNormInferenceGradInput(double eps) implements Op {

    @Override
    public Differentiability differentiability() {
        return Differentiability.BUILT_BY_AUTODIFF;
    }

    @Override
    public String mnemonic() {
        return "batchnorm_inference_grad_input";
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
        TensorType dy = operands.get(0);
        Checks.f32(this, "gradient", dy);
        if (dy.rank() < 2 || dy.rank() > 4) {
            throw Checks.fail(this, "gradient must have rank 2 [N,C], 3 [N,C,L] or 4 [N,C,H,W], got " + dy);
        }
        Checks.batchFirst(this, "gradient", dy);
        TensorType expected = TensorType.f32(Dim.of(Checks.fixed(this, "the channel count", dy, 1)));
        Checks.expect(this, "gamma", operands.get(1), expected);
        Checks.expect(this, "running_var", operands.get(2), expected);
        return dy;
    }
}
