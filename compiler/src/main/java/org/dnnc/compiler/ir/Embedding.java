package org.dnnc.compiler.ir;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Looks up rows of a table {@code f32[V,D]} by ids {@code i32[N, ...]}, giving {@code f32[N, ..., D]}. */
public record Embedding() implements Op {

    @Override
    public Differentiability differentiability() {
        return Differentiability.DIFFERENTIABLE;
    }

    @Override
    public String mnemonic() {
        return "embedding";
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
        TensorType ids = operands.get(0);
        TensorType table = operands.get(1);
        Checks.dtype(this, "ids", ids, DType.I32);
        Checks.batchFirst(this, "ids", ids);
        Checks.f32(this, "table", table);
        Checks.rank(this, "table", table, 2, "[V,D]");
        Checks.allFixed(this, "table", table);
        var dims = new ArrayList<>(ids.dims());
        dims.add(table.dim(1));
        return new TensorType(DType.F32, dims);
    }
}
