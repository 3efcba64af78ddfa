package org.dnnc.compiler.ir;

import java.util.List;
import java.util.Map;

/**
 * A recurrent layer over x {@code [N,T,I]}. The operands after x are {@code w_ih [G*H, I]},
 * {@code w_hh [G*H, H]}, {@code b_ih [G*H]} and {@code b_hh [G*H]}, where G is the gate count of the
 * cell and H the hidden size, and with {@code lengths} each example's length {@code i32[N]} (as
 * PyTorch's packed sequences: outputs past it are zero, and the last state is the state at its last
 * step). The result is every step's state {@code [N,T,H]} or the last one {@code [N,H]};
 * {@code reverse} runs over each sequence backwards.
 */
public record Recurrent(CellKind cell, int hidden, boolean returnSequences, boolean reverse, boolean lengths)
        implements Op {

    /** The index of the lengths operand, when there is one. */
    public static final int LENGTHS = 5;

    /** A layer that runs every example for the whole sequence. */
    public Recurrent(CellKind cell, int hidden, boolean returnSequences, boolean reverse) {
        this(cell, hidden, returnSequences, reverse, false);
    }

    @Override
    public Differentiability differentiability() {
        return Differentiability.DIFFERENTIABLE;
    }

    @Override
    public String mnemonic() {
        return cell.mnemonic();
    }

    @Override
    public int arity() {
        return lengths ? 6 : 5;
    }

    @Override
    public Map<String, Object> attrs() {
        return lengths
                ? Attrs.of("hidden", hidden, "return_sequences", returnSequences, "reverse", reverse, "lengths", true)
                : Attrs.of("hidden", hidden, "return_sequences", returnSequences, "reverse", reverse);
    }

    @Override
    public TensorType inferType(List<TensorType> operands) throws IrTypeException {
        Checks.arity(this, operands);
        Checks.positiveAttr(this, "hidden size", hidden);
        TensorType x = operands.get(0);
        Checks.f32(this, "input", x);
        Checks.rank(this, "input", x, 3, "[N,T,I]");
        Checks.batchFirst(this, "input", x);
        int features = Checks.fixed(this, "the input feature count", x, 2);
        long rows = (long) cell.gates() * hidden;
        if (rows > Integer.MAX_VALUE) {
            throw Checks.fail(this, "hidden size " + hidden + " is too large");
        }
        Dim gateRows = Dim.of((int) rows);
        Checks.expect(this, "w_ih", operands.get(1), TensorType.f32(gateRows, Dim.of(features)));
        Checks.expect(this, "w_hh", operands.get(2), TensorType.f32(gateRows, Dim.of(hidden)));
        Checks.expect(this, "b_ih", operands.get(3), TensorType.f32(gateRows));
        Checks.expect(this, "b_hh", operands.get(4), TensorType.f32(gateRows));
        if (lengths) {
            Checks.expect(this, "lengths", operands.get(LENGTHS), TensorType.of(DType.I32, Dim.BATCH));
        }
        return returnSequences
                ? TensorType.f32(x.dim(0), x.dim(1), Dim.of(hidden))
                : TensorType.f32(x.dim(0), Dim.of(hidden));
    }
}
