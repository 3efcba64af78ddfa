package org.dnnc.compiler.ir;

import java.util.List;
import java.util.Map;

/**
 * The gradient of {@link CrossEntropy} with respect to the logits, fused with the softmax:
 * {@code (softmax(logits) - onehot(labels)) · dloss / N}. Operands: logits, labels, dloss.
 */
public record CrossEntropyGrad() implements Op {

    @Override
    public Differentiability differentiability() {
        return Differentiability.BUILT_BY_AUTODIFF;
    }

    @Override
    public String mnemonic() {
        return "cross_entropy_grad";
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
        TensorType logits = operands.get(0);
        new CrossEntropy().inferType(operands.subList(0, 2));
        Checks.expect(this, "loss gradient", operands.get(2), TensorType.scalar(DType.F32));
        return logits;
    }
}
