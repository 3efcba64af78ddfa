package org.dnnc.compiler.ir;

import java.util.List;
import java.util.Map;
import java.util.Locale;

/**
 * The gradient of {@link Activation} from the upstream gradient and the activation's output
 * {@code y}: every supported function's derivative can be computed from its output, so the input
 * need not be kept.
 */
public record ActivationGrad(ActivationKind kind, double alpha) implements Op {

    @Override
    public Differentiability differentiability() {
        return Differentiability.BUILT_BY_AUTODIFF;
    }

    @Override
    public boolean elementwise() {
        return true;
    }

    @Override
    public String mnemonic() {
        return kind.name().toLowerCase(Locale.ROOT) + "_grad";
    }

    @Override
    public int arity() {
        return 2;
    }

    @Override
    public Map<String, Object> attrs() {
        return kind.usesAlpha() ? Attrs.of("alpha", alpha) : Map.of();
    }

    @Override
    public TensorType inferType(List<TensorType> operands) throws IrTypeException {
        Checks.arity(this, operands);
        if (kind == ActivationKind.LEAKY_RELU && !(alpha > 0)) {
            // With a slope of 0 or less the sign of the output no longer tells the sign of the input.
            throw Checks.fail(this, "leaky_relu's gradient from its output needs a positive slope, got " + alpha);
        }
        Checks.f32(this, "gradient", operands.get(0));
        Checks.sameType(this, operands.get(0), operands.get(1));
        return operands.get(0);
    }
}
