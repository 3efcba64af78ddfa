package org.dnnc.compiler.ir;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A fused convolution: {@code activation(conv2d(x, W) + b)} with the bias and activation applied
 * in the convolution's epilogue. Operands: x, W, b {@code [O]}.
 */
public record ConvBiasActivation(Conv2d conv, ActivationKind activation, double alpha) implements Op {

    @Override
    public Differentiability differentiability() {
        return Differentiability.BUILT_AFTER_AUTODIFF;
    }

    @Override
    public String mnemonic() {
        return "conv2d_bias_" + activation.name().toLowerCase(java.util.Locale.ROOT);
    }

    @Override
    public int arity() {
        return 3;
    }

    @Override
    public Map<String, Object> attrs() {
        var attrs = new LinkedHashMap<>(conv.attrs());
        if (activation.usesAlpha()) {
            attrs.put("alpha", alpha);
        }
        return attrs;
    }

    @Override
    public TensorType inferType(List<TensorType> operands) throws IrTypeException {
        Checks.arity(this, operands);
        TensorType y = conv.inferType(operands.subList(0, 2));
        return new BiasAdd(1).inferType(List.of(y, operands.get(2)));
    }
}
