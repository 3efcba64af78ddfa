package org.dnnc.compiler.ir;

import java.util.List;
import java.util.Map;

/**
 * A bias with inference batchnorm folded in: {@code beta + (b - running_mean) · gamma /
 * sqrt(running_var + eps)}, where b is the layer's own bias when it has one and 0 otherwise.
 * Operands: [b,] gamma, beta, running_mean, running_var, all {@code [C]}.
 */
public record BatchNormFoldBias(double eps, boolean withBias) implements Op {

    @Override
    public Differentiability differentiability() {
        return Differentiability.BUILT_AFTER_AUTODIFF;
    }

    @Override
    public String mnemonic() {
        return "bn_fold_bias";
    }

    @Override
    public int arity() {
        return withBias ? 5 : 4;
    }

    @Override
    public Map<String, Object> attrs() {
        return Attrs.of("eps", eps, "bias", withBias);
    }

    @Override
    public TensorType inferType(List<TensorType> operands) throws IrTypeException {
        Checks.arity(this, operands);
        Checks.positiveNumber(this, "eps", eps);
        TensorType first = operands.get(0);
        Checks.f32(this, "bias", first);
        Checks.rank(this, "bias", first, 1, "[C]");
        for (TensorType t : operands) {
            Checks.expect(this, "every operand", t, first);
        }
        return first;
    }
}
