package org.dnnc.compiler.ir;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A training batch normalization, its ReLU and the max pooling after them in one pass over memory:
 * {@code maxpool(relu(batchnorm(x)))}, which writes only the pooled values, never the full-size
 * activation. Operands: those of {@link BatchNorm} (x, gamma, beta, running mean, running
 * variance); the running statistics are updated as the batchnorm's are. Made by fusion; its
 * gradients are {@link BatchNormReluMaxPoolGrad}, which recompute the activation from x.
 */
public record BatchNormReluMaxPool(double eps, double momentum, Pool2d pool) implements Op {

    @Override
    public Differentiability differentiability() {
        return Differentiability.BUILT_AFTER_AUTODIFF;
    }

    @Override
    public String mnemonic() {
        return "batchnorm_relu_maxpool2d";
    }

    @Override
    public int arity() {
        return 5;
    }

    @Override
    public Map<String, Object> attrs() {
        Map<String, Object> attrs = new LinkedHashMap<>(norm().attrs());
        attrs.putAll(pool.attrs());
        return attrs;
    }

    /** The batchnorm and ReLU part. */
    public BatchNorm norm() {
        return new BatchNorm(eps, momentum, true);
    }

    @Override
    public TensorType inferType(List<TensorType> operands) throws IrTypeException {
        Checks.arity(this, operands);
        if (pool.kind() != PoolKind.MAX) {
            throw Checks.fail(this, "the pooling must be max pooling, got " + pool.mnemonic());
        }
        return pool.inferType(List.of(norm().inferType(operands)));
    }
}
