package org.dnnc.compiler.codegen;

import static org.dnnc.compiler.codegen.ProgramEmitter.stmt;

import com.palantir.javapoet.CodeBlock;
import org.dnnc.compiler.ir.ActivationKind;
import org.dnnc.compiler.ir.Conv2d;
import org.dnnc.compiler.ir.Conv2dGradInput;
import org.dnnc.compiler.ir.Conv2dGradWeight;
import org.dnnc.compiler.ir.ConvBiasActivation;
import org.dnnc.compiler.ir.GlobalAvgPool;
import org.dnnc.compiler.ir.GlobalAvgPoolGrad;
import org.dnnc.compiler.ir.Node;
import org.dnnc.compiler.ir.Pool2d;
import org.dnnc.compiler.ir.Pool2dGrad;
import org.dnnc.compiler.ir.PoolKind;
import org.dnnc.compiler.ir.TensorType;
import org.dnnc.compiler.target.ConvAlgorithms;
import org.dnnc.compiler.target.ConvAlgorithms.Choice;
import org.dnnc.compiler.target.ConvLayouts;

/**
 * The calls of convolution and pooling nodes: {@code Conv2d}, {@code Pool2d} and {@code
 * GlobalAvgPool} of the runtime, each with its layer's constant geometry and, for convolutions,
 * the scratch view the planner placed for that call and the algorithm {@link ConvAlgorithms} chose
 * for the call (named as a {@code ConvAlgorithm} constant, with the reason in a comment above the
 * call). A call with a blocked operand ({@code Layout.NCHW16C}) passes the layouts of its
 * activations last; others keep the overloads without them.
 */
final class Convolutions {
    private Convolutions() {}

    /** The call of {@code n}, or {@code null} when it is not a convolution or pooling. */
    static CodeBlock emit(ProgramView e, Node n) {
        String y = e.field(n.id());
        String layer = n.origin().path();
        if (n.op() instanceof Conv2d c) {
            return forward(e, n, c, null, ActivationKind.IDENTITY, 0);
        }
        if (n.op() instanceof ConvBiasActivation f) {
            return forward(e, n, f.conv(), e.field(n.inputs().get(2)), f.activation(), f.alpha());
        }
        if (n.op() instanceof Conv2dGradInput g) {
            String geometry = e.geometries().conv(g.forward(), n.type(), e.type(n.inputs().get(1)), layer);
            Choice choice = ConvAlgorithms.choice(e.graph(), n);
            return CodeBlock.builder().add(comment(choice))
                    .add(stmt("$T.backwardInput($T.$L, $L, $L, $L, $L, $L, n, false$L)", RuntimeNames.CONV2D,
                            RuntimeNames.CONV_ALGORITHM, choice.algorithm(), geometry, e.field(n.inputs().get(0)),
                            e.field(n.inputs().get(1)), y, e.scratchField(n.id()), layouts(e, n)))
                    .build();
        }
        if (n.op() instanceof Conv2dGradWeight g) {
            String geometry = e.geometries().conv(g.forward(), e.type(n.inputs().get(1)), n.type(), layer);
            Choice choice = ConvAlgorithms.choice(e.graph(), n);
            return CodeBlock.builder().add(comment(choice))
                    .add(stmt("$T.backwardWeights($T.$L, $L, $L, $L, $L, $L, n, false$L)", RuntimeNames.CONV2D,
                            RuntimeNames.CONV_ALGORITHM, choice.algorithm(), geometry, e.field(n.inputs().get(0)),
                            e.field(n.inputs().get(1)), y, e.scratchField(n.id()), layouts(e, n)))
                    .build();
        }
        if (n.op() instanceof Pool2d p) {
            String geometry = e.geometries().pool(p, e.type(n.inputs().get(0)), layer);
            String x = e.field(n.inputs().get(0));
            return p.kind() == PoolKind.MAX
                    ? stmt("$T.maxForward($L, $L, $L, n)", RuntimeNames.POOL2D, geometry, x, y)
                    : stmt("$T.avgForward($L, $L, $L, n, true)", RuntimeNames.POOL2D, geometry, x, y);
        }
        if (n.op() instanceof Pool2dGrad g) {
            String geometry = e.geometries().pool(g.forward(), n.type(), layer);
            String dy = e.field(n.inputs().get(0));
            return g.forward().kind() == PoolKind.MAX
                    ? stmt("$T.maxBackward($L, $L, $L, $L, n, false)", RuntimeNames.POOL2D, geometry,
                            e.field(n.inputs().get(1)), dy, y)
                    : stmt("$T.avgBackward($L, $L, $L, n, true, false)", RuntimeNames.POOL2D, geometry, dy, y);
        }
        if (n.op() instanceof GlobalAvgPool) {
            TensorType x = e.type(n.inputs().get(0));
            return stmt("$T.forward($L, $L, n, $L, $L$L)", RuntimeNames.GLOBAL_AVG_POOL, e.field(n.inputs().get(0)), y,
                    x.dim(1).bound(), Sizes.spatial(x), LayoutArgs.of(e.graph().layout(n.inputs().get(0))));
        }
        if (n.op() instanceof GlobalAvgPoolGrad) {
            return stmt("$T.backward($L, $L, n, $L, $L, false$L)", RuntimeNames.GLOBAL_AVG_POOL,
                    e.field(n.inputs().get(0)), y, n.type().dim(1).bound(), Sizes.spatial(n.type()),
                    LayoutArgs.of(e.graph().layout(n.id())));
        }
        return null;
    }

    private static CodeBlock forward(ProgramView e, Node n, Conv2d c, String bias, ActivationKind act,
            double alpha) {
        TensorType x = e.type(n.inputs().get(0));
        TensorType w = e.type(n.inputs().get(1));
        String geometry = e.geometries().conv(c, x, w, n.origin().path());
        Choice choice = ConvAlgorithms.choice(e.graph(), n);
        return CodeBlock.builder().add(comment(choice))
                .add(stmt("$T.forward($T.$L, $L, $L, $L, $L, $L, $L, n, $T.$L, $Lf$L)", RuntimeNames.CONV2D,
                        RuntimeNames.CONV_ALGORITHM, choice.algorithm(), geometry, e.field(n.inputs().get(0)),
                        e.field(n.inputs().get(1)), bias == null ? "null" : bias, e.field(n.id()),
                        e.scratchField(n.id()), RuntimeNames.ACTIVATION, act, (float) alpha, layouts(e, n)))
                .build();
    }

    /** The layouts of a convolution call, {@code in} then {@code out} (see {@link ConvLayouts}), where one is blocked. */
    private static CodeBlock layouts(ProgramView e, Node n) {
        ConvLayouts l = ConvLayouts.of(e.graph(), n);
        return LayoutArgs.of(l.in(), l.out());
    }

    /** The reason for the algorithm, as a comment above the call that names it. */
    private static CodeBlock comment(Choice choice) {
        return CodeBlock.of("// $L\n", choice.reason());
    }
}
