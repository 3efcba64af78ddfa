package org.dnnc.compiler.ir;

import java.util.List;
import java.util.Map;

/** Multiplies every element by a constant {@code factor}. */
public record Scale(double factor) implements Op {

    @Override
    public Differentiability differentiability() {
        return Differentiability.DIFFERENTIABLE;
    }

    @Override
    public boolean elementwise() {
        return true;
    }

    @Override
    public String mnemonic() {
        return "scale";
    }

    @Override
    public int arity() {
        return 1;
    }

    @Override
    public Map<String, Object> attrs() {
        return Attrs.of("factor", factor);
    }

    @Override
    public TensorType inferType(List<TensorType> operands) throws IrTypeException {
        Checks.arity(this, operands);
        Checks.finite(this, "factor", factor);
        TensorType x = operands.get(0);
        Checks.f32(this, "input", x);
        return x;
    }
}
