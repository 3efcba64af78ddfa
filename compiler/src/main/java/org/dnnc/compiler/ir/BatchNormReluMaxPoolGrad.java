package org.dnnc.compiler.ir;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The gradient of a {@link BatchNormReluMaxPool} with respect to x, gamma or beta ({@code wrt}).
 * Operands: dp (the gradient of the pooled result), x, gamma, beta. The full-size activation is
 * not saved: the kernel recomputes it from x, sends each window's gradient to the window's
 * maximum, masks it by the ReLU, and then takes the batchnorm's gradients, all in its own passes.
 */
public record BatchNormReluMaxPoolGrad(BatchNormReluMaxPool forward, Wrt wrt) implements Op {

    /** The operand a gradient is taken with respect to. */
    public enum Wrt {
        INPUT,
        GAMMA,
        BETA
    }

    @Override
    public Differentiability differentiability() {
        return Differentiability.BUILT_AFTER_AUTODIFF;
    }

    @Override
    public String mnemonic() {
        return forward.mnemonic() + "_grad_" + wrt.name().toLowerCase(Locale.ROOT);
    }

    @Override
    public int arity() {
        return 4;
    }

    @Override
    public Map<String, Object> attrs() {
        Map<String, Object> attrs = new LinkedHashMap<>(Attrs.of("eps", forward.eps()));
        attrs.putAll(forward.pool().attrs());
        return attrs;
    }

    @Override
    public TensorType inferType(List<TensorType> operands) throws IrTypeException {
        Checks.arity(this, operands);
        TensorType x = operands.get(1);
        TensorType channels = operands.get(2);
        TensorType pooled = forward.inferType(List.of(x, channels, operands.get(3), channels, channels));
        Checks.expect(this, "gradient", operands.get(0), pooled);
        return wrt == Wrt.INPUT ? x : channels;
    }
}
