package org.dnnc.compiler.passes;

import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.dnnc.compiler.ir.BatchNorm;
import org.dnnc.compiler.ir.BatchNormGradGamma;
import org.dnnc.compiler.ir.BatchNormGradInput;
import org.dnnc.compiler.ir.BatchNormReluGradBeta;
import org.dnnc.compiler.ir.BatchNormReluMaxPool;
import org.dnnc.compiler.ir.BatchNormReluMaxPoolGrad;
import org.dnnc.compiler.ir.BiasGrad;
import org.dnnc.compiler.ir.Conv2d;
import org.dnnc.compiler.ir.Conv2dGradInput;
import org.dnnc.compiler.ir.Conv2dGradWeight;
import org.dnnc.compiler.ir.ConvBiasActivation;
import org.dnnc.compiler.ir.FusedElementwise;
import org.dnnc.compiler.ir.GlobalAvgPool;
import org.dnnc.compiler.ir.GlobalAvgPoolGrad;
import org.dnnc.compiler.ir.Graph;
import org.dnnc.compiler.ir.Node;
import org.dnnc.compiler.ir.Op;
import org.dnnc.compiler.memory.CallGroups;

/**
 * What {@link LayoutAssignment} knows of each op's CPU call: which values it reads and writes in
 * one layout, which results it can write blocked, and which operands it reads in either layout.
 * Each rule mirrors a call of the runtime that takes layouts, or one that treats its operands as
 * flat arrays of one length (element-wise ones), where any layout does if all share it.
 */
final class LayoutRules {

    /** The ops whose runtime calls write a blocked result given its layout. */
    private static final Set<Class<? extends Op>> CALLS = Set.of(Conv2d.class, ConvBiasActivation.class,
            Conv2dGradInput.class, BatchNorm.class, BatchNormGradInput.class, GlobalAvgPoolGrad.class, BatchNormReluMaxPool.class,
            BatchNormReluMaxPoolGrad.class);

    /** The {@code bias_grad} nodes a batchnorm's gradient call computes as its dbeta (see {@code CallGroups}). */
    private final Set<Integer> betas;

    LayoutRules(Graph graph) {
        betas = CallGroups.of(graph).all().stream().flatMap(List::stream)
                .filter(m -> m.op() instanceof BiasGrad).map(Node::id).collect(Collectors.toUnmodifiableSet());
    }

    /** The values that {@code n}'s runtime call reads and writes in one layout (none for most ops). */
    List<Integer> linked(Node n) {
        List<Integer> in = n.inputs();
        if (n.op() instanceof BatchNorm bn) {
            return bn.residual() ? List.of(n.id(), in.get(0), in.get(5)) : List.of(n.id(), in.get(0));
        }
        if (n.op() instanceof BatchNormGradInput g) {
            return g.relu() ? List.of(n.id(), in.get(0), in.get(1), in.get(3)) : List.of(n.id(), in.get(0), in.get(1));
        }
        if (n.op() instanceof BatchNormGradGamma g) {
            return g.relu() ? List.of(in.get(0), in.get(1), in.get(2)) : List.of(in.get(0), in.get(1));
        }
        if (n.op() instanceof BatchNormReluGradBeta) {
            return List.of(in.get(0), in.get(1));
        }
        // x and dx share the call's `in` layout; the pooled p (forward) and dp (backward) are each
        // `out` of a call of their own, so they need not share one with each other.
        if (n.op() instanceof BatchNormReluMaxPoolGrad g && g.wrt() == BatchNormReluMaxPoolGrad.Wrt.INPUT) {
            return List.of(n.id(), in.get(1));
        }
        if (elementwise(n)) {
            return Stream.concat(Stream.of(n.id()), in.stream()).toList();
        }
        return List.of();
    }

    /** Whether {@code n}'s runtime call can write its result blocked. */
    boolean writesEitherLayout(Node n) {
        return call(n) || elementwise(n);
    }

    /**
     * Whether {@code n} is a call (not an element-wise loop) that writes its result blocked: a class
     * without one would gain nothing from the layout, so {@code --explain} says nothing of it.
     */
    static boolean call(Node n) {
        return CALLS.contains(n.op().getClass());
    }

    /** Whether the call of {@code user} reads its operand {@code index} in either layout. */
    boolean readsEitherLayout(Node user, int index) {
        Op op = user.op();
        // A convolution with its bias and activation fused is the same runtime call as a bare one.
        if (op instanceof Conv2d || op instanceof ConvBiasActivation || op instanceof Conv2dGradInput
                || op instanceof GlobalAvgPool || op instanceof BatchNormReluMaxPool) {
            return index == 0;
        }
        if (op instanceof Conv2dGradWeight || op instanceof BatchNormReluGradBeta
                || op instanceof BatchNormReluMaxPoolGrad) {
            return index <= 1;
        }
        if (op instanceof BatchNorm bn) {
            return index == 0 || index == 5 && bn.residual();
        }
        if (op instanceof BatchNormGradInput g) {
            return index <= 1 || index == 3 && g.relu();
        }
        if (op instanceof BatchNormGradGamma g) {
            return index <= 1 || index == 2 && g.relu();
        }
        // Inside a batchnorm's gradient call, as its dbeta; alone, a convolution's bias gradient
        // (Conv2d.backwardBias, which takes the layout); a dense layer's reads rows of NCHW.
        if (op instanceof BiasGrad b) {
            return betas.contains(user.id()) || convolutionBias(b);
        }
        return elementwise(user);
    }

    /** A bias gradient over the channels of a 4-d value (the pass blocks no other): {@code Conv2d.backwardBias}. */
    private static boolean convolutionBias(BiasGrad b) {
        return b.axis() == 1 || b.axis() == -3;
    }

    /**
     * An element-wise node whose operands all have the result's type: its call (an activation, its
     * gradient, add, sub, mul, scale, or a fused chain) pairs element i of each operand with element
     * i of the result. A chain with per-channel operands reads them at the NCHW channel of i.
     */
    private static boolean elementwise(Node n) {
        return n.op().elementwise() || n.op() instanceof FusedElementwise f && f.channels().isEmpty();
    }
}
