package org.dnnc.compiler.ir;

import java.util.List;
import java.util.Map;

/** Adds a bias {@code [C]} along {@code axis} of x (negative axes count from the end). */
public record BiasAdd(int axis) implements Op {

    @Override
    public Differentiability differentiability() {
        return Differentiability.DIFFERENTIABLE;
    }

    @Override
    public String mnemonic() {
        return "bias_add";
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
        TensorType x = operands.get(0);
        TensorType b = operands.get(1);
        Checks.f32(this, "input", x);
        Checks.f32(this, "bias", b);
        Checks.rank(this, "bias", b, 1, "[C]");
        int resolved = Checks.axis(this, axis, x);
        if (!x.dim(resolved).equals(b.dim(0))) {
            throw Checks.fail(this, "bias has " + b.dim(0) + " elements but axis " + axis + " of the input has "
                    + x.dim(resolved) + " (" + x + " + " + b + ")");
        }
        return x;
    }
}
