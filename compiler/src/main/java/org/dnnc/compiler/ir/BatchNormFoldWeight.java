package org.dnnc.compiler.ir;

import java.util.List;
import java.util.Map;

/**
 * A kernel with inference batchnorm folded in: each output channel's weights scaled by
 * {@code gamma / sqrt(running_var + eps)}. Operands: W {@code [O, ...]}, gamma {@code [O]},
 * running_var {@code [O]}. Computed from the parameters at each call, so it follows training.
 */
public record BatchNormFoldWeight(double eps) implements Op {

    @Override
    public Differentiability differentiability() {
        return Differentiability.BUILT_AFTER_AUTODIFF;
    }

    @Override
    public String mnemonic() {
        return "bn_fold_weight";
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
        TensorType w = operands.get(0);
        Checks.f32(this, "weight", w);
        Checks.minRank(this, "weight", w, 2);
        Checks.allFixed(this, "weight", w);
        TensorType channels = TensorType.f32(w.dim(0));
        Checks.expect(this, "gamma", operands.get(1), channels);
        Checks.expect(this, "running_var", operands.get(2), channels);
        return w;
    }
}
