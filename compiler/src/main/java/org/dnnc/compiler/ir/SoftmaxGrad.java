package org.dnnc.compiler.ir;

import java.util.List;
import java.util.Map;

/** The gradient of {@link Softmax}: {@code dx = y·(dy - Σ dy·y)} along {@code axis}, from the upstream gradient and the output y. */
public record SoftmaxGrad(int axis) implements Op {

    @Override
    public Differentiability differentiability() {
        return Differentiability.BUILT_BY_AUTODIFF;
    }

    @Override
    public String mnemonic() {
        return "softmax_grad";
    }

    @Override
    public int arity() {
        return 2;
    }

    @Override
    public Map<String, Object> attrs() {
        return Attrs.of("axis", axis);
    }

    @Override
    public TensorType inferType(List<TensorType> operands) throws IrTypeException {
        Checks.arity(this, operands);
        Checks.f32(this, "gradient", operands.get(0));
        Checks.sameType(this, operands.get(0), operands.get(1));
        Checks.axis(this, axis, operands.get(0));
        return operands.get(0);
    }
}
