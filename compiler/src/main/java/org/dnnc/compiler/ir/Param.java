package org.dnnc.compiler.ir;

import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A tensor owned by the model. Trainable parameters are learned; the others are buffers updated
 * outside of gradient descent, such as batch-norm running statistics.
 *
 * @param init the initializer that fills it, such as {@code he_normal}, {@code zeros} or {@code ones}
 */
public record Param(String name, TensorType type, boolean trainable, String init) implements Op {

    public Param {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(init, "init");
    }

    @Override
    public Differentiability differentiability() {
        return Differentiability.LEAF;
    }

    @Override
    public String mnemonic() {
        return "param";
    }

    @Override
    public int arity() {
        return 0;
    }

    /** The name is not included: it is printed separately. */
    @Override
    public Map<String, Object> attrs() {
        return Attrs.of("init", init, "trainable", trainable);
    }

    @Override
    public TensorType inferType(List<TensorType> operands) throws IrTypeException {
        Checks.arity(this, operands);
        return Checks.positive(this, type);
    }
}
