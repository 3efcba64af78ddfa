package org.dnnc.compiler.codegen.cuda;

import com.palantir.javapoet.ClassName;
import com.palantir.javapoet.CodeBlock;
import java.util.List;
import org.dnnc.compiler.codegen.ProgramView;
import org.dnnc.compiler.codegen.Sizes;
import org.dnnc.compiler.ir.LayerNorm;
import org.dnnc.compiler.ir.LayerNormGradGamma;
import org.dnnc.compiler.ir.LayerNormGradInput;
import org.dnnc.compiler.ir.Node;
import org.dnnc.compiler.ir.TensorType;

/**
 * The CUDA target's calls of layer normalization ({@code CudaLayerNorm}), with the CPU's arguments
 * after the context: the statistics are recomputed in backward rather than saved, as there.
 */
final class CudaLayerNorms {
    private static final ClassName LAYER_NORM = ClassName.get("org.dnnc.runtime.cuda", "CudaLayerNorm");

    private CudaLayerNorms() {}

    static CodeBlock forward(Node n, ProgramView p) {
        List<Integer> in = n.inputs();
        TensorType t = n.type();
        return stmt("$T.forward(ctx, $L, $L, $L, $L, null, null, $L, $L, $Lf)", LAYER_NORM, p.field(in.get(0)),
                p.field(in.get(1)), p.field(in.get(2)), p.field(n.id()), Sizes.rows(t), Sizes.last(t),
                (float) ((LayerNorm) n.op()).eps());
    }

    /** Operands dy, x, gamma. */
    static CodeBlock gradInput(Node n, ProgramView p) {
        List<Integer> in = n.inputs();
        TensorType t = n.type();
        return stmt("$T.backward(ctx, $L, $L, $L, null, null, $L, null, null, $L, $L, $Lf, false, false)", LAYER_NORM,
                p.field(in.get(1)), p.field(in.get(0)), p.field(in.get(2)), p.field(n.id()), Sizes.rows(t),
                Sizes.last(t), (float) ((LayerNormGradInput) n.op()).eps());
    }

    /** Operands dy, x. */
    static CodeBlock gradGamma(Node n, ProgramView p) {
        List<Integer> in = n.inputs();
        TensorType x = p.type(in.get(1));
        return stmt("$T.backward(ctx, $L, $L, null, null, null, null, $L, null, $L, $L, $Lf, false, false)", LAYER_NORM,
                p.field(in.get(1)), p.field(in.get(0)), p.field(n.id()), Sizes.rows(x), Sizes.last(x),
                (float) ((LayerNormGradGamma) n.op()).eps());
    }

    private static CodeBlock stmt(String format, Object... args) {
        return CodeBlock.builder().addStatement(format, args).build();
    }
}
