package org.dnnc.compiler.ir;

import java.util.List;
import java.util.Map;

/** Layer normalization over the last axis of each example of x {@code [N, ..., D]}, with gamma and beta of {@code [D]}. */
public record LayerNorm(double eps) implements Op {

    @Override
    public Differentiability differentiability() {
        return Differentiability.DIFFERENTIABLE;
    }

    @Override
    public String mnemonic() {
        return "layernorm";
    }

    @Override
    public int arity() {
        return 3;
    }

    @Override
    public Map<String, Object> attrs() {
        return Attrs.of("eps", eps);
    }

    @Override
    public TensorType inferType(List<TensorType> operands) throws IrTypeException {
        Checks.arity(this, operands);
        Checks.positiveNumber(this, "eps", eps);
        TensorType x = operands.get(0);
        TensorType expected = parameterType(x);
        Checks.expect(this, "gamma", operands.get(1), expected);
        Checks.expect(this, "beta", operands.get(2), expected);
        return x;
    }

    /**
     * The type of gamma and beta for input {@code x}: {@code f32[D]} for x of {@code [N, ..., D]}. As
     * in PyTorch's {@code LayerNorm(D)}, each example is normalized over its last axis, so x needs
     * features per example: over the batch axis alone it would mix examples.
     *
     * @throws IrTypeException when x does not fit
     */
    public TensorType parameterType(TensorType x) throws IrTypeException {
        Checks.f32(this, "input", x);
        if (x.rank() < 2) {
            throw Checks.fail(this, "needs features per example, got " + x);
        }
        Checks.batchFirst(this, "input", x);
        return TensorType.f32(Dim.of(Checks.fixed(this, "the last dimension", x, -1)));
    }
}
