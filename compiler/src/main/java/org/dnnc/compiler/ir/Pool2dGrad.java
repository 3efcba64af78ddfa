package org.dnnc.compiler.ir;

import java.util.List;
import java.util.Map;

/**
 * The gradient of {@link Pool2d} with respect to its input {@code x}: each window's gradient goes to
 * its maximum (max pooling) or is spread evenly over it (average pooling). Operands: dy, x.
 */
public record Pool2dGrad(Pool2d forward) implements Op {

    @Override
    public Differentiability differentiability() {
        return Differentiability.BUILT_BY_AUTODIFF;
    }

    @Override
    public String mnemonic() {
        return forward.mnemonic() + "_grad";
    }

    @Override
    public int arity() {
        return 2;
    }

    @Override
    public Map<String, Object> attrs() {
        return forward.attrs();
    }

    @Override
    public TensorType inferType(List<TensorType> operands) throws IrTypeException {
        Checks.arity(this, operands);
        TensorType x = operands.get(1);
        Checks.expect(this, "gradient", operands.get(0), forward.inferType(List.of(x)));
        return x;
    }
}
