package org.dnnc.compiler.ir;

import java.util.List;
import java.util.Locale;
import java.util.Map;

/** An element-wise nonlinearity; {@code alpha} matters only for {@code leaky_relu} and {@code elu}. */
public record Activation(ActivationKind kind, double alpha) implements Op {

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
        return 1;
    }

    @Override
    public Map<String, Object> attrs() {
        return kind.usesAlpha() ? Attrs.of("alpha", alpha) : Map.of();
    }

    @Override
    public TensorType inferType(List<TensorType> operands) throws IrTypeException {
        Checks.arity(this, operands);
        if (kind.usesAlpha()) {
            Checks.finite(this, "alpha", alpha);
        }
        TensorType x = operands.get(0);
        Checks.f32(this, "input", x);
        return x;
    }
}
