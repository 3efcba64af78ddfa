package org.dnnc.compiler.ir;

import java.util.List;
import java.util.Map;
import java.util.OptionalInt;

/**
 * The gradient of {@link CrossEntropy} with respect to the logits, fused with the softmax:
 * {@code (softmax(logits) - onehot(labels)) · dloss / N}. Operands: logits, labels, dloss. With
 * {@code ignore}, as the loss's: N counts the other positions, and ignored ones get zero.
 */
public record CrossEntropyGrad(OptionalInt ignore) implements Op {

    /** The gradient of the loss over every position. */
    public CrossEntropyGrad() {
        this(OptionalInt.empty());
    }

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
        return ignore.isPresent() ? Attrs.of("ignore", ignore.getAsInt()) : Map.of();
    }

    @Override
    public TensorType inferType(List<TensorType> operands) throws IrTypeException {
        Checks.arity(this, operands);
        TensorType logits = operands.get(0);
        new CrossEntropy(ignore).inferType(operands.subList(0, 2));
        Checks.expect(this, "loss gradient", operands.get(2), TensorType.scalar(DType.F32));
        return logits;
    }
}
