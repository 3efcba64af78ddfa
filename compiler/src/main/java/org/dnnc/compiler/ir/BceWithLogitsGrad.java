package org.dnnc.compiler.ir;

import java.util.List;
import java.util.Map;

/** The gradient of {@link BceWithLogits} with respect to its logitss: {@code (sigmoid(logits) - target)·dloss / size}. Operands: logitss, targets, dloss. */
public record BceWithLogitsGrad() implements Op {

    @Override
    public Differentiability differentiability() {
        return Differentiability.BUILT_BY_AUTODIFF;
    }

    @Override
    public String mnemonic() {
        return "bce_with_logits_grad";
    }

    @Override
    public int arity() {
        return 3;
    }

    @Override
    public Map<String, Object> attrs() {
        return Map.of();
    }

    @Override
    public TensorType inferType(List<TensorType> operands) throws IrTypeException {
        Checks.arity(this, operands);
        new BceWithLogits().inferType(operands.subList(0, 2));
        Checks.expect(this, "loss gradient", operands.get(2), TensorType.scalar(DType.F32));
        return operands.get(0);
    }
}
