package org.dnnc.compiler.ir;

import java.util.List;
import java.util.Map;

/**
 * A recurrent layer over x {@code [N,T,I]}. The operands after x are {@code w_ih [G*H, I]},
 * {@code w_hh [G*H, H]}, {@code b_ih [G*H]} and {@code b_hh [G*H]}, where G is the gate count of the
 * cell and H the hidden size, and with {@code lengths} each example's length {@code i32[N]} (as
 * PyTorch's packed sequences: outputs past it are zero, and the last state is the state at its last
 * step), and then, with {@code initialState}, the state {@code h0 [N,H]} to start from (zero
 * without one; an LSTM's cell state starts at zero). The result is every step's state {@code
 * [N,T,H]} or the last one {@code [N,H]}; {@code reverse} runs over each sequence backwards.
 */
public record Recurrent(CellKind cell, int hidden, boolean returnSequences, boolean reverse, boolean lengths,
        boolean initialState) implements Op {

    /** The index of the lengths operand, when there is one. */
    public static final int LENGTHS = 5;

    /** A layer that runs every example for the whole sequence. */
    public Recurrent(CellKind cell, int hidden, boolean returnSequences, boolean reverse) {
        this(cell, hidden, returnSequences, reverse, false, false);
    }

    /** A layer that starts from a zero state. */
    public Recurrent(CellKind cell, int hidden, boolean returnSequences, boolean reverse, boolean lengths) {
        this(cell, hidden, returnSequences, reverse, lengths, false);
    }

    /** The index of the initial state's operand, or -1 without one. */
    public int initialStateOperand() {
        return initialState ? LENGTHS + (lengths ? 1 : 0) : -1;
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
        return 5 + (lengths ? 1 : 0) + (initialState ? 1 : 0);
    }

    @Override
    public Map<String, Object> attrs() {
        var attrs = new java.util.LinkedHashMap<>(
                Attrs.of("hidden", hidden, "return_sequences", returnSequences, "reverse", reverse));
        if (lengths) {
            attrs.put("lengths", true);
        }
        if (initialState) {
            attrs.put("initial_state", true);
        }
        return attrs;
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
        if (initialState) {
            Checks.expect(this, "initial state", operands.get(initialStateOperand()),
                    TensorType.f32(Dim.BATCH, Dim.of(hidden)));
        }
        return returnSequences
                ? TensorType.f32(x.dim(0), x.dim(1), Dim.of(hidden))
                : TensorType.f32(x.dim(0), Dim.of(hidden));
    }
}
