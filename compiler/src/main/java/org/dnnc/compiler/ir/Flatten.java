package org.dnnc.compiler.ir;

import java.util.List;
import java.util.Map;

/** Flattens each example: {@code [N, d1, d2, ...]} to {@code [N, d1*d2*...]}; the sizes must be fixed. */
public record Flatten() implements Op {

    @Override
    public Differentiability differentiability() {
        return Differentiability.DIFFERENTIABLE;
    }

    @Override
    public boolean viewOnly() {
        return true;
    }

    @Override
    public String mnemonic() {
        return "flatten";
    }

    @Override
    public int arity() {
        return 1;
    }

    @Override
    public Map<String, Object> attrs() {
        return Map.of();
    }

    @Override
    public TensorType inferType(List<TensorType> operands) throws IrTypeException {
        Checks.arity(this, operands);
        TensorType x = operands.get(0);
        Checks.batchFirst(this, "input", x);
        for (int axis = 1; axis < x.rank(); axis++) {
            Checks.fixed(this, "dimension " + axis + " of the input", x, axis);
        }
        int size = Checks.product(this, x, x.dims().subList(1, x.rank()));
        return x.withDims(List.of(x.dim(0), Dim.of(size)));
    }
}
