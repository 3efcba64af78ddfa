package org.dnnc.compiler.ir;

import java.util.List;
import java.util.Map;
import java.util.Objects;

/** A value fed to the model at run time, such as an image batch or labels. */
public record Input(String name, TensorType type) implements Op {

    public Input {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(type, "type");
    }

    @Override
    public Differentiability differentiability() {
        return Differentiability.LEAF;
    }

    @Override
    public String mnemonic() {
        return "input";
    }

    @Override
    public int arity() {
        return 0;
    }

    /** Empty: the name is printed separately. */
    @Override
    public Map<String, Object> attrs() {
        return Map.of();
    }

    @Override
    public TensorType inferType(List<TensorType> operands) throws IrTypeException {
        Checks.arity(this, operands);
        return Checks.positive(this, type);
    }
}
