package org.dnnc.compiler.ir;

import java.util.List;
import java.util.Map;
import java.util.ArrayList;

/** Elements {@code [start, start + length)} along {@code axis}: the gradient of {@link Concat} for one operand. */
public record Slice(int axis, int start, int length) implements Op {

    @Override
    public Differentiability differentiability() {
        return Differentiability.BUILT_BY_AUTODIFF;
    }

    @Override
    public String mnemonic() {
        return "slice";
    }

    @Override
    public int arity() {
        return 1;
    }

    @Override
    public Map<String, Object> attrs() {
        return Attrs.of("axis", axis, "start", start, "length", length);
    }

    @Override
    public TensorType inferType(List<TensorType> operands) throws IrTypeException {
        Checks.arity(this, operands);
        TensorType x = operands.get(0);
        int resolved = Checks.axis(this, axis, x);
        int size = Checks.fixed(this, "axis " + axis + " of the input", x, resolved);
        if (start < 0 || length < 1 || (long) start + length > size) {
            throw Checks.fail(this, "slice [" + start + ", " + ((long) start + length) + ") is outside axis " + axis
                    + " of " + x);
        }
        var dims = new ArrayList<>(x.dims());
        dims.set(resolved, Dim.of(length));
        return x.withDims(dims);
    }
}
