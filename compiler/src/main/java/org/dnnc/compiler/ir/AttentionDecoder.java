package org.dnnc.compiler.ir;

import java.util.List;
import java.util.Map;

/**
 * A GRU decoder of {@code hidden} units that attends over values at every step: over inputs x
 * {@code [N,S,E]} and values z {@code [N,T,Dv]}, each step's context is the additive attention
 * ({@code units} wide) of the state before the step over z, the cell's input is {@code [x_s;
 * context]}, and the result is every step's {@code [state; context]}, {@code [N,S,H+Dv]}. Operands:
 * x, z, {@code w_ih [3H, E+Dv]}, {@code w_hh [3H, H]}, {@code b_ih}, {@code b_hh [3H]}, the
 * attention's {@code W [units, H+Dv]} and {@code v [units]}, then the initial state {@code h0
 * [N,H]} when {@code initialState} (else zero) and the values' lengths {@code i32[N]} when {@code
 * lengths}.
 */
public record AttentionDecoder(int hidden, int units, boolean initialState, boolean lengths) implements Op {

    /** The index of the first optional operand. */
    public static final int OPTIONAL = 8;

    @Override
    public Differentiability differentiability() {
        return Differentiability.DIFFERENTIABLE;
    }

    @Override
    public String mnemonic() {
        return "attention_decoder";
    }

    @Override
    public int arity() {
        return OPTIONAL + (initialState ? 1 : 0) + (lengths ? 1 : 0);
    }

    /** The index of the initial state's operand, or -1. */
    public int initialStateOperand() {
        return initialState ? OPTIONAL : -1;
    }

    /** The index of the lengths' operand, or -1. */
    public int lengthsOperand() {
        return lengths ? OPTIONAL + (initialState ? 1 : 0) : -1;
    }

    @Override
    public Map<String, Object> attrs() {
        return Attrs.of("hidden", hidden, "units", units, "initial_state", initialState, "lengths", lengths);
    }

    @Override
    public TensorType inferType(List<TensorType> operands) throws IrTypeException {
        Checks.arity(this, operands);
        Checks.positiveAttr(this, "hidden size", hidden);
        Checks.positiveAttr(this, "units", units);
        TensorType x = operands.get(0);
        TensorType values = operands.get(1);
        Checks.f32(this, "input", x);
        Checks.rank(this, "input", x, 3, "[N,S,E]");
        Checks.batchFirst(this, "input", x);
        Checks.f32(this, "values", values);
        Checks.rank(this, "values", values, 3, "[N,T,Dv]");
        Checks.batchFirst(this, "values", values);
        int in = Checks.fixed(this, "the input feature count", x, 2);
        int dv = Checks.fixed(this, "the value feature count", values, 2);
        if (3L * hidden > Integer.MAX_VALUE || (long) in + dv > Integer.MAX_VALUE
                || (long) hidden + dv > Integer.MAX_VALUE) {
            throw Checks.fail(this, "sizes too large");
        }
        Dim rows = Dim.of(3 * hidden);
        Checks.expect(this, "w_ih", operands.get(2), TensorType.f32(rows, Dim.of(in + dv)));
        Checks.expect(this, "w_hh", operands.get(3), TensorType.f32(rows, Dim.of(hidden)));
        Checks.expect(this, "b_ih", operands.get(4), TensorType.f32(rows));
        Checks.expect(this, "b_hh", operands.get(5), TensorType.f32(rows));
        Checks.expect(this, "W", operands.get(6), TensorType.f32(Dim.of(units), Dim.of(hidden + dv)));
        Checks.expect(this, "v", operands.get(7), TensorType.f32(Dim.of(units)));
        if (initialState) {
            Checks.expect(this, "initial state", operands.get(initialStateOperand()),
                    TensorType.f32(Dim.BATCH, Dim.of(hidden)));
        }
        if (lengths) {
            Checks.expect(this, "lengths", operands.get(lengthsOperand()), TensorType.of(DType.I32, Dim.BATCH));
        }
        return TensorType.f32(x.dim(0), x.dim(1), Dim.of(hidden + dv));
    }

    /** The weights' type for these operands, {@code [N,S,T]}. */
    TensorType weightsType(List<TensorType> operands) throws IrTypeException {
        TensorType y = inferType(operands);
        return TensorType.f32(y.dim(0), y.dim(1), operands.get(1).dim(1));
    }
}
