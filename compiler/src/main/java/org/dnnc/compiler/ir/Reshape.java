package org.dnnc.compiler.ir;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Gives each example a new shape: {@code [N, ...]} to {@code [N, dims...]} with the same number of
 * elements. Only fixed sizes can be reshaped.
 */
public record Reshape(List<Dim> dims) implements Op {

    public Reshape {
        dims = List.copyOf(dims);
    }

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
        return "reshape";
    }

    @Override
    public int arity() {
        return 1;
    }

    @Override
    public Map<String, Object> attrs() {
        return Attrs.of("shape", dims);
    }

    @Override
    public TensorType inferType(List<TensorType> operands) throws IrTypeException {
        Checks.arity(this, operands);
        TensorType x = operands.get(0);
        Checks.batchFirst(this, "input", x);
        for (int axis = 1; axis < x.rank(); axis++) {
            Checks.fixed(this, "dimension " + axis + " of the input", x, axis);
        }
        var resultDims = new ArrayList<Dim>();
        resultDims.add(x.dim(0));
        resultDims.addAll(dims);
        TensorType result = x.withDims(resultDims);
        for (int axis = 1; axis < result.rank(); axis++) {
            Checks.fixed(this, "target dimension " + (axis - 1), result, axis);
        }
        Checks.positive(this, result);
        int from = Checks.product(this, x, x.dims().subList(1, x.rank()));
        int to = Checks.product(this, result, dims);
        if (from != to) {
            throw Checks.fail(this, "cannot reshape " + from + " elements per example into " + to + " (" + x
                    + " to " + result + ")");
        }
        return result;
    }
}
