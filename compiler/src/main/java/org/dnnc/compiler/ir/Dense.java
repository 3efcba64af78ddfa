package org.dnnc.compiler.ir;

import java.util.List;
import java.util.Map;

/**
 * A fused dense layer: {@code activation(x·Wᵀ + b)} in one GEMM with the bias and activation applied
 * in its epilogue, so that neither intermediate is written to memory. Operands: x {@code [..., K]},
 * W {@code [M, K]}, b {@code [M]}.
 */
public record Dense(ActivationKind activation, double alpha) implements Op {

    @Override
    public Differentiability differentiability() {
        return Differentiability.BUILT_AFTER_AUTODIFF;
    }

    @Override
    public String mnemonic() {
        return "dense";
    }

    @Override
    public int arity() {
        return 3;
    }

    @Override
    public Map<String, Object> attrs() {
        return activation.usesAlpha() ? Attrs.of("activation", activation, "alpha", alpha)
                : Attrs.of("activation", activation);
    }

    @Override
    public TensorType inferType(List<TensorType> operands) throws IrTypeException {
        Checks.arity(this, operands);
        TensorType product = new MatMul().inferType(operands.subList(0, 2));
        TensorType biased = new BiasAdd(-1).inferType(List.of(product, operands.get(2)));
        return new Activation(activation, alpha).inferType(List.of(biased));
    }
}
