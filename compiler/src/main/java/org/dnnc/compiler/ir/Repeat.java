package org.dnnc.compiler.ir;

import java.util.List;
import java.util.Map;

/** Repeats each example's vector {@code times} times: {@code [N,F]} to {@code [N,times,F]}. */
public record Repeat(int times) implements Op {

    @Override
    public Differentiability differentiability() {
        return Differentiability.DIFFERENTIABLE;
    }

    @Override
    public String mnemonic() {
        return "repeat";
    }

    @Override
    public int arity() {
        return 1;
    }

    @Override
    public Map<String, Object> attrs() {
        return Attrs.of("times", times);
    }

    @Override
    public TensorType inferType(List<TensorType> operands) throws IrTypeException {
        Checks.arity(this, operands);
        Checks.positiveAttr(this, "times", times);
        TensorType x = operands.get(0);
        Checks.rank(this, "input", x, 2, "[N,F]");
        Checks.batchFirst(this, "input", x);
        return x.withDims(List.of(x.dim(0), Dim.of(times), x.dim(1)));
    }
}
