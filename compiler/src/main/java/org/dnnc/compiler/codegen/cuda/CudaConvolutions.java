package org.dnnc.compiler.codegen.cuda;

import com.palantir.javapoet.ClassName;
import com.palantir.javapoet.CodeBlock;
import java.util.List;
import org.dnnc.compiler.codegen.CodegenException;
import org.dnnc.compiler.codegen.ProgramView;
import org.dnnc.compiler.codegen.Sizes;
import org.dnnc.compiler.ir.ActivationKind;
import org.dnnc.compiler.ir.BiasAdd;
import org.dnnc.compiler.ir.BiasGrad;
import org.dnnc.compiler.ir.Conv2d;
import org.dnnc.compiler.ir.Conv2dGradInput;
import org.dnnc.compiler.ir.Conv2dGradWeight;
import org.dnnc.compiler.ir.ConvBiasActivation;
import org.dnnc.compiler.ir.Node;
import org.dnnc.compiler.ir.Pool2d;
import org.dnnc.compiler.ir.Pool2dGrad;
import org.dnnc.compiler.ir.PoolKind;
import org.dnnc.compiler.ir.TensorType;

/**
 * The CUDA calls of convolutional layers: {@code CudaConv2d} (cuDNN or im2col and cuBLAS, chosen
 * when the class runs; see {@code target/CudaScratch} for the scratch it is given), {@code
 * CudaPool}, and the bias over channels ({@code CudaElementwise}). Each takes the layer's constant
 * geometry, shared with the CPU's calls ({@code Geometries}); unlike the CPU's there is no
 * algorithm to name, as the runtime picks per device.
 */
final class CudaConvolutions {
    private static final String CUDA = "org.dnnc.runtime.cuda";
    private static final ClassName CONV2D = ClassName.get(CUDA, "CudaConv2d");
    private static final ClassName POOL = ClassName.get(CUDA, "CudaPool");
    private static final ClassName ELEMENTWISE = ClassName.get(CUDA, "CudaElementwise");
    private static final ClassName ACTIVATIONS = ClassName.get(CUDA, "CudaActivations");
    private static final ClassName ACTIVATION = ClassName.get("org.dnnc.runtime.cpu", "Activation");

    private CudaConvolutions() {}

    static CodeBlock conv(Node n, ProgramView p) {
        return forward(n, p, (Conv2d) n.op(), "null", ActivationKind.IDENTITY, 0);
    }

    /** A convolution with its bias and activation, which the runtime applies in place after it. */
    static CodeBlock convBiasActivation(Node n, ProgramView p) {
        ConvBiasActivation f = (ConvBiasActivation) n.op();
        return forward(n, p, f.conv(), p.field(n.inputs().get(2)), f.activation(), f.alpha());
    }

    private static CodeBlock forward(Node n, ProgramView p, Conv2d c, String bias, ActivationKind act, double alpha) {
        List<Integer> in = n.inputs();
        String geometry = p.geometries().conv(c, p.type(in.get(0)), p.type(in.get(1)), n.origin().path());
        return stmt("$T.forward(ctx, $L, $L, $L, $L, $L, $L, n, $T.$L, $Lf)", CONV2D, geometry, p.field(in.get(0)),
                p.field(in.get(1)), bias, p.field(n.id()), p.scratchField(n.id()), ACTIVATION, act, (float) alpha);
    }

    /** Operands dz, w; the result is dx. */
    static CodeBlock gradInput(Node n, ProgramView p) {
        List<Integer> in = n.inputs();
        String geometry = p.geometries().conv(((Conv2dGradInput) n.op()).forward(), n.type(), p.type(in.get(1)),
                n.origin().path());
        return stmt("$T.backwardInput(ctx, $L, $L, $L, $L, $L, n, false)", CONV2D, geometry, p.field(in.get(0)),
                p.field(in.get(1)), p.field(n.id()), p.scratchField(n.id()));
    }

    /** Operands dz, x; the result is dw. */
    static CodeBlock gradWeight(Node n, ProgramView p) {
        List<Integer> in = n.inputs();
        String geometry = p.geometries().conv(((Conv2dGradWeight) n.op()).forward(), p.type(in.get(1)), n.type(),
                n.origin().path());
        return stmt("$T.backwardWeights(ctx, $L, $L, $L, $L, $L, n, false)", CONV2D, geometry, p.field(in.get(0)),
                p.field(in.get(1)), p.field(n.id()), p.scratchField(n.id()));
    }

    static CodeBlock pool(Node n, ProgramView p) {
        Pool2d pool = (Pool2d) n.op();
        String x = p.field(n.inputs().get(0));
        String geometry = p.geometries().pool(pool, p.type(n.inputs().get(0)), n.origin().path());
        return pool.kind() == PoolKind.MAX
                ? stmt("$T.maxForward(ctx, $L, $L, $L, n)", POOL, geometry, x, p.field(n.id()))
                : stmt("$T.avgForward(ctx, $L, $L, $L, n, true)", POOL, geometry, x, p.field(n.id()));
    }

    /** Operands dy and, for max pooling, x. */
    static CodeBlock poolGrad(Node n, ProgramView p) {
        Pool2dGrad g = (Pool2dGrad) n.op();
        String geometry = p.geometries().pool(g.forward(), n.type(), n.origin().path());
        String dy = p.field(n.inputs().get(0));
        return g.forward().kind() == PoolKind.MAX
                ? stmt("$T.maxBackward(ctx, $L, $L, $L, $L, n, false)", POOL, geometry, p.field(n.inputs().get(1)), dy,
                        p.field(n.id()))
                : stmt("$T.avgBackward(ctx, $L, $L, $L, n, true, false)", POOL, geometry, dy, p.field(n.id()));
    }

    static CodeBlock globalAvgPool(Node n, ProgramView p) {
        TensorType x = p.type(n.inputs().get(0));
        return stmt("$T.globalAvgForward(ctx, $L, $L, n, $L, $L)", POOL, p.field(n.inputs().get(0)), p.field(n.id()),
                x.dim(1).bound(), Sizes.spatial(x));
    }

    static CodeBlock globalAvgPoolGrad(Node n, ProgramView p) {
        TensorType dx = n.type();
        return stmt("$T.globalAvgBackward(ctx, $L, $L, n, $L, $L, false)", POOL, p.field(n.inputs().get(0)),
                p.field(n.id()), dx.dim(1).bound(), Sizes.spatial(dx));
    }

    /** A bias over the channels (axis 1) of a feature map, or over the last axis as the dense layers add it. */
    static CodeBlock biasAdd(Node n, ProgramView p) throws CodegenException {
        int axis = ((BiasAdd) n.op()).axis();
        TensorType t = n.type();
        List<Integer> in = n.inputs();
        String y = p.field(n.id());
        if (overChannels(axis, t)) {
            return stmt("$T.addChannelBias(ctx, $L, $L, $L, n, $L, $L)", ELEMENTWISE, p.field(in.get(0)),
                    p.field(in.get(1)), y, t.dim(1).bound(), Sizes.spatial(t));
        }
        if (axis != -1 && axis != t.rank() - 1) {
            throw new CodegenException("the cuda target has no kernel call for a bias along axis " + axis
                    + " of a rank-" + t.rank() + " tensor yet", n.origin());
        }
        CodeBlock count = Sizes.count(t);
        CodeBlock.Builder code = CodeBlock.builder();
        if (!p.field(in.get(0)).equals(y)) {
            code.addStatement("ctx.copy($L.slice(0, $L), $L.slice(0, $L))", p.field(in.get(0)), count, y, count);
        }
        return code.addStatement("$T.biasForward(ctx, $T.IDENTITY, 0f, $L, $L, $L, $L)", ACTIVATIONS, ACTIVATION, y,
                p.field(in.get(1)), Sizes.rows(t), Sizes.last(t)).build();
    }

    /** Whether {@code n} is a bias gradient over the channels of a feature map, which this class emits. */
    static boolean overChannels(Node n, ProgramView p) {
        return n.op() instanceof BiasGrad b && overChannels(b.axis(), p.type(n.inputs().get(0)));
    }

    /** {@code db[c] = sum of dy[:, c, ...]}. */
    static CodeBlock channelBiasGrad(Node n, ProgramView p) {
        TensorType dy = p.type(n.inputs().get(0));
        return stmt("$T.channelBiasGrad(ctx, $L, $L, n, $L, $L, false)", ELEMENTWISE, p.field(n.inputs().get(0)),
                p.field(n.id()), dy.dim(1).bound(), Sizes.spatial(dy));
    }

    private static boolean overChannels(int axis, TensorType t) {
        return t.rank() > 2 && (axis == 1 || axis == 1 - t.rank());
    }

    private static CodeBlock stmt(String format, Object... args) {
        return CodeBlock.builder().addStatement(format, args).build();
    }
}
