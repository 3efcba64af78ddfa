package org.dnnc.compiler.ir;

import java.util.List;
import java.util.Map;

/**
 * Bahdanau attention of queries g, one {@code [N,Dg]} or a sequence {@code [N,Tq,Dg]}, over values z
 * {@code [N,T,Dz]} with W {@code [A, Dg+Dz]} and v {@code [A]}, where A is {@code units}: {@code
 * score_j = v·tanh(W[g; z_j])}, {@code alpha = softmax_j(score)}, and the result is the context
 * {@code Σ alpha_j z_j} of {@code [N,Dz]} ({@code [N,Tq,Dz]} for a sequence of queries). With {@code
 * lengths}, a fifth operand {@code i32[N]} gives each example's number of valid value steps; the
 * steps past it get weight zero.
 */
public record AdditiveAttention(int units, boolean lengths) implements Op {

    /** The index of the lengths operand, when there is one. */
    public static final int LENGTHS = 4;

    /** Attention over every value step. */
    public AdditiveAttention(int units) {
        this(units, false);
    }

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
        return lengths ? 5 : 4;
    }

    @Override
    public Map<String, Object> attrs() {
        return lengths ? Attrs.of("units", units, "lengths", true) : Attrs.of("units", units);
    }

    @Override
    public TensorType inferType(List<TensorType> operands) throws IrTypeException {
        Checks.arity(this, operands);
        Checks.positiveAttr(this, "units", units);
        TensorType query = operands.get(0);
        TensorType values = operands.get(1);
        Checks.f32(this, "query", query);
        if (query.rank() != 2 && query.rank() != 3) {
            throw Checks.fail(this, "query must have rank 2 [N,Dg] or 3 [N,Tq,Dg], got " + query);
        }
        Checks.batchFirst(this, "query", query);
        Checks.f32(this, "values", values);
        Checks.rank(this, "values", values, 3, "[N,T,Dz]");
        Checks.batchFirst(this, "values", values);
        int queryFeatures = Checks.fixed(this, "the query feature count", query, query.rank() - 1);
        int valueFeatures = Checks.fixed(this, "the value feature count", values, 2);
        if ((long) queryFeatures + valueFeatures > Integer.MAX_VALUE) {
            throw Checks.fail(this, "query and value features " + queryFeatures + " + " + valueFeatures
                    + " are too many");
        }
        Checks.expect(this, "W", operands.get(2), TensorType.f32(Dim.of(units), Dim.of(queryFeatures + valueFeatures)));
        Checks.expect(this, "v", operands.get(3), TensorType.f32(Dim.of(units)));
        if (lengths) {
            Checks.expect(this, "lengths", operands.get(LENGTHS), TensorType.of(DType.I32, Dim.BATCH));
        }
        return query.rank() == 3
                ? TensorType.f32(query.dim(0), query.dim(1), values.dim(2))
                : TensorType.f32(query.dim(0), values.dim(2));
    }

    /** The weights' type for these operands: {@code [N,T]}, or {@code [N,Tq,T]} for a sequence of queries. */
    TensorType weightsType(List<TensorType> operands) throws IrTypeException {
        inferType(operands);
        TensorType query = operands.get(0);
        TensorType values = operands.get(1);
        return query.rank() == 3
                ? TensorType.f32(query.dim(0), query.dim(1), values.dim(1))
                : TensorType.f32(query.dim(0), values.dim(1));
    }
}
