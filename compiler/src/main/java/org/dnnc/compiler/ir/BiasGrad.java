package org.dnnc.compiler.ir;

import java.util.List;
import java.util.Map;

/** The gradient of {@link BiasAdd} with respect to its bias: dy summed over every axis but {@code axis}. */
public record BiasGrad(int axis) implements Op {

    @Override
    public Differentiability differentiability() {
        return Differentiability.BUILT_BY_AUTODIFF;
    }

    @Override
    public String mnemonic() {
        return "bias_grad";
    }

    @Override
    public int arity() {
        return 1;
    }

    @Override
    public Map<String, Object> attrs() {
        return Attrs.of("axis", axis);
    }

    @Override
    public TensorType inferType(List<TensorType> operands) throws IrTypeException {
        Checks.arity(this, operands);
        TensorType dy = operands.get(0);
        Checks.f32(this, "gradient", dy);
        int resolved = Checks.axis(this, axis, dy);
        Checks.fixed(this, "axis " + axis + " of the gradient", dy, resolved);
        return TensorType.f32(dy.dim(resolved));
    }
}
