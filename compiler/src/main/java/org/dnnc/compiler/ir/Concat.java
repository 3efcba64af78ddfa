package org.dnnc.compiler.ir;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Joins two or more tensors along {@code axis} (negative axes count from the end). The other
 * dimensions must agree; the joined ones must be fixed and are summed.
 */
public record Concat(int axis) implements Op {

    @Override
    public Differentiability differentiability() {
        return Differentiability.DIFFERENTIABLE;
    }

    @Override
    public String mnemonic() {
        return "concat";
    }

    @Override
    public int arity() {
        return VARIADIC;
    }

    @Override
    public Map<String, Object> attrs() {
        return Attrs.of("axis", axis);
    }

    @Override
    public TensorType inferType(List<TensorType> operands) throws IrTypeException {
        Checks.arity(this, operands);
        TensorType first = operands.get(0);
        int resolved = Checks.axis(this, axis, first);
        long total = 0;
        for (int i = 0; i < operands.size(); i++) {
            TensorType t = operands.get(i);
            checkAgrees(first, t, i, resolved);
            total += Checks.fixed(this, "axis " + axis + " of operand " + i, t, resolved);
        }
        if (total > Integer.MAX_VALUE) {
            throw Checks.fail(this, "the joined axis would have " + total + " elements");
        }
        var dims = new ArrayList<>(first.dims());
        dims.set(resolved, Dim.of((int) total));
        return first.withDims(dims);
    }

    private void checkAgrees(TensorType first, TensorType t, int index, int resolved) throws IrTypeException {
        if (t.dtype() != first.dtype() || t.rank() != first.rank()) {
            throw Checks.fail(this, "operand " + index + " is " + t + " but operand 0 is " + first);
        }
        for (int d = 0; d < t.rank(); d++) {
            if (d != resolved && !t.dim(d).equals(first.dim(d))) {
                throw Checks.fail(this, "dimension " + d + " of operand " + index + " is " + t.dim(d)
                        + " but operand 0 has " + first.dim(d) + " (" + first + " vs " + t + ")");
            }
        }
    }
}
