package org.dnnc.compiler.ir;

import java.util.List;
import java.util.Map;

/**
 * Bahdanau attention of a query g {@code [N,Dg]} over values z {@code [N,T,Dz]} with W
 * {@code [A, Dg+Dz]} and v {@code [A]}, where A is {@code units}: {@code score_j = v·tanh(W[g; z_j])},
 * {@code alpha = softmax_j(score)}, and the result is the context {@code Σ alpha_j z_j} of {@code [N,Dz]}.
 */
public record AdditiveAttention(int units) implements Op {

    @Override
    public Differentiability differentiability() {
        return Differentiability.DIFFERENTIABLE;
    }

    @Override
    public String mnemonic() {
        return "additive_attention";
    }

    @Override
    public int arity() {
        return 4;
    }

    @Override
    public Map<String, Object> attrs() {
        return Attrs.of("units", units);
    }

    @Override
    public TensorType inferType(List<TensorType> operands) throws IrTypeException {
        Checks.arity(this, operands);
        Checks.positiveAttr(this, "units", units);
        TensorType query = operands.get(0);
        TensorType values = operands.get(1);
        Checks.f32(this, "query", query);
        Checks.rank(this, "query", query, 2, "[N,Dg]");
        Checks.batchFirst(this, "query", query);
        Checks.f32(this, "values", values);
        Checks.rank(this, "values", values, 3, "[N,T,Dz]");
        Checks.batchFirst(this, "values", values);
        int queryFeatures = Checks.fixed(this, "the query feature count", query, 1);
        int valueFeatures = Checks.fixed(this, "the value feature count", values, 2);
        Checks.expect(this, "W", operands.get(2), TensorType.f32(Dim.of(units), Dim.of(queryFeatures + valueFeatures)));
        Checks.expect(this, "v", operands.get(3), TensorType.f32(Dim.of(units)));
        return TensorType.f32(query.dim(0), values.dim(2));
    }
}
