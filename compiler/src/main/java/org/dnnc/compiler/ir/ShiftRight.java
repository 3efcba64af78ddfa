package org.dnnc.compiler.ir;

import java.util.List;
import java.util.Map;

/**
 * Token ids {@code i32[N,T]} moved one step later, with {@code fill} at step 0 and the last step
 * dropped: a decoder's input under teacher forcing is the target shifted right behind a start
 * token. Ids carry no gradient.
 */
public record ShiftRight(int fill) implements Op {

    @Override
    public Differentiability differentiability() {
        return Differentiability.DIFFERENTIABLE;
    }

    @Override
    public String mnemonic() {
        return "shift_right";
    }

    @Override
    public int arity() {
        return 1;
    }

    @Override
    public Map<String, Object> attrs() {
        return Attrs.of("fill", fill);
    }

    @Override
    public TensorType inferType(List<TensorType> operands) throws IrTypeException {
        Checks.arity(this, operands);
        TensorType ids = operands.get(0);
        Checks.dtype(this, "ids", ids, DType.I32);
        Checks.rank(this, "ids", ids, 2, "[N,T]");
        Checks.batchFirst(this, "ids", ids);
        return ids;
    }
}
