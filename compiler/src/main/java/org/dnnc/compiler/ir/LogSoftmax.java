package org.dnnc.compiler.ir;

import java.util.List;
import java.util.Map;

/** The logarithm of a softmax along {@code axis} (negative axes count from the end). */
public record LogSoftmax(int axis) implements Op {

    @Override
    public Differentiability differentiability() {
        return Differentiability.DIFFERENTIABLE;
    }

    @Override
    public String mnemonic() {
        return "log_softmax";
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
        TensorType x = operands.get(0);
        Checks.f32(this, "input", x);
        Checks.axis(this, axis, x);
        return x;
    }
}
