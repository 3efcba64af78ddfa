package org.dnnc.compiler.ir;

import java.util.List;
import java.util.Map;
import java.util.ArrayList;

/** The gradient of {@link MatMul} with respect to its input: {@code dx = dy·W}, dy {@code [..., M]}, W {@code [M, K]}. */
public record MatMulGradInput() implements Op {

    @Override
    public Differentiability differentiability() {
        return Differentiability.BUILT_BY_AUTODIFF;
    }

    @Override
    public String mnemonic() {
        return "matmul_grad_input";
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
        TensorType dy = operands.get(0);
        TensorType w = operands.get(1);
        Checks.f32(this, "gradient", dy);
        Checks.f32(this, "weight", w);
        Checks.minRank(this, "gradient", dy, 1);
        Checks.rank(this, "weight", w, 2, "[M,K]");
        if (!dy.dim(-1).equals(w.dim(0))) {
            throw Checks.fail(this, "gradient has " + dy.dim(-1) + " features but the weight has " + w.dim(0)
                    + " rows (" + dy + " x " + w + ")");
        }
        var dims = new ArrayList<>(dy.dims());
        dims.set(dims.size() - 1, w.dim(1));
        return dy.withDims(dims);
    }
}
