package org.dnnc.compiler.ir;

import java.util.List;
import java.util.Map;

/**
 * The last step of each sequence {@code x [N,T,F]}: {@code [N,F]}, with {@code lengths} ({@code
 * i32[N]}, a second operand) the step at each example's last valid position, zero for a length of
 * 0. Over a forward recurrent layer's every-step output this is its final state, which can start a
 * decoder.
 */
public record LastStep(boolean lengths) implements Op {

    @Override
    public Differentiability differentiability() {
        return Differentiability.DIFFERENTIABLE;
    }

    @Override
    public String mnemonic() {
        return "last";
    }

    @Override
    public int arity() {
        return lengths ? 2 : 1;
    }

    @Override
    public Map<String, Object> attrs() {
        return lengths ? Attrs.of("lengths", true) : Map.of();
    }

    @Override
    public TensorType inferType(List<TensorType> operands) throws IrTypeException {
        Checks.arity(this, operands);
        TensorType x = operands.get(0);
        Checks.f32(this, "input", x);
        Checks.rank(this, "input", x, 3, "[N,T,F]");
        Checks.batchFirst(this, "input", x);
        if (lengths) {
            Checks.expect(this, "lengths", operands.get(1), TensorType.of(DType.I32, Dim.BATCH));
        }
        return TensorType.f32(x.dim(0), x.dim(2));
    }
}
