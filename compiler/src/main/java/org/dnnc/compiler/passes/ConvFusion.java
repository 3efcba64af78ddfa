package org.dnnc.compiler.passes;

import org.dnnc.compiler.ir.ActivationKind;
import org.dnnc.compiler.ir.BiasAdd;
import org.dnnc.compiler.ir.Conv2d;
import org.dnnc.compiler.ir.ConvBiasActivation;
import org.dnnc.compiler.ir.Node;
import org.dnnc.compiler.ir.Op;

/**
 * Fuses {@code conv2d -> bias_add -> activation} (and {@code conv2d -> bias_add}) into one {@code
 * conv2d_bias_<activation>} node: the convolution's epilogue adds the per-channel bias and applies
 * the activation while each example's output is still in cache.
 */
public final class ConvFusion extends EpilogueFusion {

    @Override
    public String name() {
        return "fuse-conv";
    }

    @Override
    public String description() {
        return "Fuses conv2d, a channel bias_add and an activation into one call (GEMM plus epilogue).";
    }

    @Override
    boolean isProducer(Node n) {
        return n.op() instanceof Conv2d;
    }

    /** A bias along the channel axis of a feature map. */
    @Override
    boolean isBias(Node n) {
        return n.op() instanceof BiasAdd b && n.type().rank() == 4 && (b.axis() == 1 || b.axis() == -3);
    }

    @Override
    Op fused(Node producer, ActivationKind activation, double alpha) {
        return new ConvBiasActivation((Conv2d) producer.op(), activation, alpha);
    }
}
