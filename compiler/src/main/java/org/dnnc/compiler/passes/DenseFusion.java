package org.dnnc.compiler.passes;

import org.dnnc.compiler.ir.ActivationKind;
import org.dnnc.compiler.ir.BiasAdd;
import org.dnnc.compiler.ir.Dense;
import org.dnnc.compiler.ir.MatMul;
import org.dnnc.compiler.ir.Node;
import org.dnnc.compiler.ir.Op;

/**
 * Fuses {@code matmul -> bias_add -> activation} (and {@code matmul -> bias_add}) into one
 * {@code dense} node: one GEMM whose epilogue adds the bias and applies the activation while the
 * result is still in cache.
 */
public final class DenseFusion extends EpilogueFusion {

    @Override
    public String name() {
        return "fuse-dense";
    }

    @Override
    public String description() {
        return "Fuses matmul, bias_add and an activation into one dense node (GEMM plus epilogue).";
    }

    @Override
    boolean isProducer(Node n) {
        return n.op() instanceof MatMul;
    }

    /** A bias along the last axis, which the GEMM epilogue can add. */
    @Override
    boolean isBias(Node n) {
        return n.op() instanceof BiasAdd b && (b.axis() == -1 || b.axis() == n.type().rank() - 1);
    }

    @Override
    Op fused(Node producer, ActivationKind activation, double alpha) {
        return new Dense(activation, alpha);
    }
}
