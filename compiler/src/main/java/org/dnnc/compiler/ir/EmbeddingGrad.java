package org.dnnc.compiler.ir;

import java.util.List;
import java.util.Map;

/**
 * The gradient of {@link Embedding} with respect to its table: each row of dy {@code [N, ..., D]}
 * added to the row of the table that its id {@code i32[N, ...]} picked, giving {@code [vocab, D]};
 * rows that no id picked are zero. The ids get no gradient.
 *
 * <p>With {@code sparse}, which lowering sets only where the optimizer leaves a row with a zero
 * gradient unchanged (see {@code SparseEmbeddingGradients}), the value holds the rows that ids
 * picked and nothing else: the summed gradient of each distinct id, in ascending order of id, in its
 * first rows, the ids themselves kept in the step's row list, and the rest of the buffer unwritten.
 * The step then checks, clips and updates those rows only.
 */
public record EmbeddingGrad(int vocab, boolean sparse) implements Op {

    /** The dense gradient, every row written. */
    public EmbeddingGrad(int vocab) {
        this(vocab, false);
    }

    @Override
    public Differentiability differentiability() {
        return Differentiability.BUILT_BY_AUTODIFF;
    }

    @Override
    public String mnemonic() {
        return "embedding_grad";
    }

    @Override
    public int arity() {
        return 2;
    }

    @Override
    public Map<String, Object> attrs() {
        return sparse ? Attrs.of("vocab", vocab, "sparse", true) : Attrs.of("vocab", vocab);
    }

    @Override
    public TensorType inferType(List<TensorType> operands) throws IrTypeException {
        Checks.arity(this, operands);
        TensorType dy = operands.get(0);
        TensorType ids = operands.get(1);
        Checks.positiveAttr(this, "vocab", vocab);
        Checks.f32(this, "gradient", dy);
        Checks.minRank(this, "gradient", dy, 2);
        Checks.dtype(this, "ids", ids, DType.I32);
        Checks.batchFirst(this, "ids", ids);
        TensorType table = TensorType.f32(Dim.of(vocab), Dim.of(Checks.fixed(this, "the embedding size", dy, -1)));
        Checks.expect(this, "gradient", dy, new Embedding().inferType(List.of(ids, table)));
        return table;
    }
}
