package org.dnnc.compiler.ir;

import java.util.List;
import java.util.Map;

/** A tensor with every element equal to {@code value}, such as the seed 1 of the loss gradient. */
public record Constant(double value, TensorType type) implements Op {

    @Override
    public Differentiability differentiability() {
        return Differentiability.LEAF;
    }

    @Override
    public String mnemonic() {
        return "constant";
    }

    @Override
    public int arity() {
        return 0;
    }

    @Override
    public Map<String, Object> attrs() {
        return Attrs.of("value", value);
    }

    @Override
    public TensorType inferType(List<TensorType> operands) throws IrTypeException {
        Checks.arity(this, operands);
        Checks.finite(this, "value", value);
        Checks.f32(this, "constant", type);
        return type;
    }
}
