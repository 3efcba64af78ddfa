package org.dnnc.compiler.ir;

import java.util.List;
import java.util.Map;

/**
 * A fresh random dropout mask shaped like its operand: each element is 0 with probability
 * {@code rate} and {@code 1 / (1 - rate)} otherwise (inverted dropout), so that training multiplies
 * by the mask and inference does nothing. The operand only gives the shape.
 */
public record DropoutMask(double rate) implements Op {

    @Override
    public Differentiability differentiability() {
        return Differentiability.BUILT_BY_AUTODIFF;
    }

    @Override
    public String mnemonic() {
        return "dropout_mask";
    }

    @Override
    public int arity() {
        return 1;
    }

    @Override
    public Map<String, Object> attrs() {
        return Attrs.of("rate", rate);
    }

    @Override
    public TensorType inferType(List<TensorType> operands) throws IrTypeException {
        Checks.arity(this, operands);
        if (!(rate > 0 && rate < 1)) {
            throw Checks.fail(this, "rate must be above 0 and below 1, got " + rate);
        }
        Checks.f32(this, "input", operands.get(0));
        return operands.get(0);
    }
}
