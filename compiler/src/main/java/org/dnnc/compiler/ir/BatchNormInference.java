package org.dnnc.compiler.ir;

import java.util.List;
import java.util.Map;

/**
 * Batch normalization as inference runs it: with the running statistics instead of the batch's,
 * which stay as they are. Training uses it too in the layers that {@code freeze} keeps fixed, as
 * PyTorch does for a body put in {@code eval()} mode, and differentiates through it to trained
 * layers before them. Operands as {@link BatchNorm}: x, gamma, beta, running_mean, running_var.
 */
public record BatchNormInference(double eps) implements Op {

    @Override
    public Differentiability differentiability() {
        return Differentiability.DIFFERENTIABLE;
    }

    @Override
    public String mnemonic() {
        return "batchnorm_inference";
    }

    @Override
    public int arity() {
        return 5;
    }

    @Override
    public Map<String, Object> attrs() {
        return Attrs.of("eps", eps);
    }

    @Override
    public TensorType inferType(List<TensorType> operands) throws IrTypeException {
        return new BatchNorm(eps, 0.1).inferType(operands);
    }
}
