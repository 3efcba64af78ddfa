package org.dnnc.compiler.ir;

import java.util.List;
import java.util.Map;

/** Averages each channel over its whole plane: {@code [N,C,H,W]} to {@code [N,C]}. */
public record GlobalAvgPool() implements Op {

    @Override
    public Differentiability differentiability() {
        return Differentiability.DIFFERENTIABLE;
    }

    @Override
    public String mnemonic() {
        return "global_avgpool";
    }

    @Override
    public int arity() {
        return 1;
    }

    @Override
    public Map<String, Object> attrs() {
        return Map.of();
    }

    @Override
    public TensorType inferType(List<TensorType> operands) throws IrTypeException {
        Checks.arity(this, operands);
        TensorType x = operands.get(0);
        Checks.f32(this, "input", x);
        Checks.rank(this, "input", x, 4, "[N,C,H,W]");
        Checks.batchFirst(this, "input", x);
        return x.withDims(List.of(x.dim(0), x.dim(1)));
    }
}
