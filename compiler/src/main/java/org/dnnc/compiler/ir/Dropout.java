package org.dnnc.compiler.ir;

import java.util.List;
import java.util.Map;

/** Zeroes a fraction {@code rate} of the elements while training; the identity at inference. */
public record Dropout(double rate) implements Op {

    @Override
    public Differentiability differentiability() {
        return Differentiability.LOWERED;
    }

    @Override
    public String mnemonic() {
        return "dropout";
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
        // Written so that NaN fails too.
        if (!(rate >= 0 && rate < 1)) {
            throw Checks.fail(this, "rate must be at least 0 and below 1, got " + rate);
        }
        TensorType x = operands.get(0);
        Checks.f32(this, "input", x);
        return x;
    }
}
