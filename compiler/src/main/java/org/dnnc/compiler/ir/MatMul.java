package org.dnnc.compiler.ir;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The product {@code y = x·Wᵀ} of x {@code [..., K]} and a weight {@code [M, K]}, giving {@code [..., M]}.
 * The weight is laid out as in PyTorch's dense layers; leading dimensions of x are kept, so that a
 * sequence {@code [N,T,K]} is transformed step by step.
 */
public record MatMul() implements Op {

    @Override
    public Differentiability differentiability() {
        return Differentiability.DIFFERENTIABLE;
    }

    @Override
    public String mnemonic() {
        return "matmul";
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
        TensorType x = operands.get(0);
        TensorType w = operands.get(1);
        Checks.f32(this, "input", x);
        Checks.f32(this, "weight", w);
        Checks.minRank(this, "input", x, 1);
        Checks.rank(this, "weight", w, 2, "[M,K]");
        Checks.allFixed(this, "weight", w);
        if (!x.dim(-1).equals(w.dim(1))) {
            throw Checks.fail(this, "input has " + x.dim(-1) + " features but the weight expects " + w.dim(1)
                    + " (" + x + " x " + w + ")");
        }
        var dims = new ArrayList<>(x.dims());
        dims.set(dims.size() - 1, w.dim(0));
        return x.withDims(dims);
    }
}
