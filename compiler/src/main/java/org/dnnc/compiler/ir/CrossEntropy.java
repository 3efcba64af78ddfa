package org.dnnc.compiler.ir;

import java.util.List;
import java.util.Map;
import java.util.OptionalInt;

/**
 * The softmax cross-entropy of logits {@code f32[N,C]} against class labels {@code i32[N]}, averaged
 * over the batch; or of logits {@code f32[N,T,C]} against a label per position {@code i32[N,T]},
 * averaged over every position (a language model's next-token loss). The softmax is part of the
 * loss, so the logits are raw scores. With {@code ignore}, positions whose label is that value
 * (padding) take no part: the mean is over the other positions (PyTorch's {@code ignore_index}).
 */
public record CrossEntropy(OptionalInt ignore) implements Op {

    /** The loss over every position. */
    public CrossEntropy() {
        this(OptionalInt.empty());
    }

    @Override
    public Differentiability differentiability() {
        return Differentiability.DIFFERENTIABLE;
    }

    @Override
    public String mnemonic() {
        return "cross_entropy";
    }

    @Override
    public int arity() {
        return 2;
    }

    @Override
    public Map<String, Object> attrs() {
        return ignore.isPresent() ? Attrs.of("ignore", ignore.getAsInt()) : Map.of();
    }

    @Override
    public TensorType inferType(List<TensorType> operands) throws IrTypeException {
        Checks.arity(this, operands);
        TensorType logits = operands.get(0);
        Checks.f32(this, "logits", logits);
        if (logits.rank() < 2) {
            throw Checks.fail(this, "logits must be [N,C] or [N,...,C], got " + logits);
        }
        Checks.batchFirst(this, "logits", logits);
        Checks.expect(this, "labels", operands.get(1),
                new TensorType(DType.I32, logits.dims().subList(0, logits.rank() - 1)));
        return TensorType.scalar(DType.F32);
    }
}
