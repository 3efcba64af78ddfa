package org.dnnc.compiler.ir;

import java.util.List;
import java.util.Map;

/**
 * The gradient of {@link BatchNorm} with respect to gamma, {@code Σ dy · x̂} per channel; the
 * statistics are those the forward saved or recomputed from x ({@link BatchNormStatistics}).
 * Operands: dy, x, and with {@code relu} the fused ReLU's output y, by whose {@code y > 0} dy is
 * masked.
 */
public record BatchNormGradGamma(double eps, boolean relu) implements Op {

    /** The gradient of batch normalization alone. */
    public BatchNormGradGamma(double eps) {
        this(eps, false);
    }

    @Override
    public Differentiability differentiability() {
        return Differentiability.BUILT_BY_AUTODIFF;
    }

    @Override
    public String mnemonic() {
        return relu ? "batchnorm_relu_grad_gamma" : "batchnorm_grad_gamma";
    }

    @Override
    public int arity() {
        return relu ? 3 : 2;
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
        if (relu) {
            Checks.sameType(this, x, operands.get(2));
        }
        Checks.minRank(this, "input", x, 2);
        return TensorType.f32(Dim.of(Checks.fixed(this, "the channel count", x, 1)));
    }
}
