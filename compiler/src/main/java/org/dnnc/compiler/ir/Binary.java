package org.dnnc.compiler.ir;

import java.util.List;
import java.util.Locale;
import java.util.Map;

/** Element-wise arithmetic on two tensors of the same type; there is no broadcasting. */
public record Binary(BinaryKind kind) implements Op {

    @Override
    public Differentiability differentiability() {
        return Differentiability.DIFFERENTIABLE;
    }

    @Override
    public boolean elementwise() {
        return true;
    }

    @Override
    public String mnemonic() {
        return kind.name().toLowerCase(Locale.ROOT);
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
        Checks.sameType(this, operands.get(0), operands.get(1));
        return operands.get(0);
    }
}
