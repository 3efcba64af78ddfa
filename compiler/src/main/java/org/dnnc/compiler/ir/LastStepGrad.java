package org.dnnc.compiler.ir;

import java.util.List;
import java.util.Map;

/**
 * The gradient of {@link LastStep} with respect to its input: {@code dy [N,F]} placed at each
 * example's last (valid) step of {@code [N,steps,F]}, zero elsewhere. Operands: dy, then the
 * lengths when the step has them.
 */
public record LastStepGrad(LastStep forward, Dim steps) implements Op {

    @Override
    public Differentiability differentiability() {
        return Differentiability.BUILT_BY_AUTODIFF;
    }

    @Override
    public String mnemonic() {
        return "last_grad";
    }

    @Override
    public int arity() {
        return forward.arity();
    }

    @Override
    public Map<String, Object> attrs() {
        return forward.lengths() ? Attrs.of("steps", steps.toString(), "lengths", true) : Attrs.of("steps", steps.toString());
    }

    @Override
    public TensorType inferType(List<TensorType> operands) throws IrTypeException {
        Checks.arity(this, operands);
        TensorType dy = operands.get(0);
        Checks.f32(this, "gradient", dy);
        Checks.rank(this, "gradient", dy, 2, "[N,F]");
        Checks.batchFirst(this, "gradient", dy);
        if (forward.lengths()) {
            Checks.expect(this, "lengths", operands.get(1), TensorType.of(DType.I32, Dim.BATCH));
        }
        return TensorType.f32(dy.dim(0), steps, dy.dim(1));
    }
}
