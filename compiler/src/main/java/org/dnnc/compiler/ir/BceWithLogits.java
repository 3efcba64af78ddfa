package org.dnnc.compiler.ir;

import java.util.List;
import java.util.Map;

/** Binary cross-entropy of raw scores (a sigmoid is part of the loss) against targets of the same type, averaged over all elements. */
public record BceWithLogits() implements Op {

    @Override
    public Differentiability differentiability() {
        return Differentiability.DIFFERENTIABLE;
    }

    @Override
    public String mnemonic() {
        return "bce_with_logits";
    }

    @Override
    public int arity() {
        return 2;
    }

    @Override
    public Map<String, Object> attrs() {
        return Map.of();
    }

    @Override
    public TensorType inferType(List<TensorType> operands) throws IrTypeException {
        Checks.arity(this, operands);
        Checks.f32(this, "predictions", operands.get(0));
        Checks.f32(this, "targets", operands.get(1));
        Checks.sameType(this, operands.get(0), operands.get(1));
        return TensorType.scalar(DType.F32);
    }
}
