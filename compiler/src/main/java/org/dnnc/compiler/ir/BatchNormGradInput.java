package org.dnnc.compiler.ir;

import java.util.List;
import java.util.Map;

/**
 * The gradient of {@link BatchNorm} in training (batch statistics) with respect to its input; the
 * statistics are those the forward saved or recomputed from x ({@link BatchNormStatistics}).
 * Operands: dy, x, gamma. With {@code relu} (the gradient of a fused {@code batchnorm_relu}), dy is
 * the gradient of the ReLU's output y, a fourth operand, and is masked by {@code y > 0} inside the
 * same passes.
 */
public record BatchNormGradInput(double eps, boolean relu) implements Op {

    /** The gradient of batch normalization alone. */
    public BatchNormGradInput(double eps) {
        this(eps, false);
    }

    @Override
    public Differentiability differentiability() {
        return Differentiability.BUILT_BY_AUTODIFF;
    }

    @Override
    public String mnemonic() {
        return relu ? "batchnorm_relu_grad_input" : "batchnorm_grad_input";
    }

    @Override
    public int arity() {
        return relu ? 4 : 3;
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
        if (relu) {
            Checks.sameType(this, x, operands.get(3));
        }
        return x;
    }
}
