package org.dnnc.compiler.codegen;

import static org.dnnc.compiler.codegen.ProgramEmitter.stmt;

import com.palantir.javapoet.CodeBlock;
import org.dnnc.compiler.ir.BatchNorm;
import org.dnnc.compiler.ir.BatchNormFoldBias;
import org.dnnc.compiler.ir.BatchNormFoldWeight;
import org.dnnc.compiler.ir.BatchNormInference;
import org.dnnc.compiler.ir.BatchNormInferenceGradInput;
import org.dnnc.compiler.ir.BatchNormReluMaxPool;
import org.dnnc.compiler.ir.LayerNorm;
import org.dnnc.compiler.ir.LayerNormGradGamma;
import org.dnnc.compiler.ir.LayerNormGradInput;
import org.dnnc.compiler.ir.Node;
import org.dnnc.compiler.ir.TensorType;

/**
 * The calls of normalization nodes: the runtime's {@code BatchNorm} (training with batch
 * statistics, which also updates the running averages in the parameter arena; inference, and its
 * input gradient for frozen layers; the folds of inference batchnorm into a layer's weights and
 * bias), {@code BatchNormPool} (batchnorm, ReLU and max pooling fused) and {@code LayerNorm}. A
 * batchnorm's gradients are {@code CpuKernels}'s, one call per group (see {@code CallGroups}). A
 * training batchnorm saves its batch statistics where its gradients read them (the planner's saved
 * buffer, see {@code target/CpuScratch}), so that their call makes no pass over x to recompute them.
 * A training batchnorm whose values are blocked passes that layout last (with a null residual where it
 * has none, as only the overload with one takes a layout); one fused with max pooling passes those of
 * x and of the pooled result where either is blocked.
 */
final class Normalizations {
    private Normalizations() {}

    /** The call of {@code n}, or {@code null} when it is not a normalization. */
    static CodeBlock emit(ProgramView e, Node n) {
        String y = e.field(n.id());
        TensorType t = n.type();
        if (n.op() instanceof BatchNorm bn) {
            CodeBlock layout = LayoutArgs.of(e.graph().layout(n.id()));
            if (bn.residual() || !layout.isEmpty()) {
                return stmt("$T.forwardTraining($L, $L, $L, $L, $L, $L, $L, $L, n, $L, $L, $Lf, $Lf, $L$L)",
                        RuntimeNames.BATCH_NORM, operand(e, n, 0), operand(e, n, 1), operand(e, n, 2),
                        operand(e, n, 3), operand(e, n, 4), y, e.savedField(n.id()),
                        bn.residual() ? operand(e, n, 5) : "null", t.dim(1).bound(), Sizes.spatial(t),
                        (float) bn.momentum(), (float) bn.eps(), bn.relu(), layout);
            }
            return stmt("$T.forwardTraining($L, $L, $L, $L, $L, $L, $L, n, $L, $L, $Lf, $Lf, $L)",
                    RuntimeNames.BATCH_NORM, operand(e, n, 0), operand(e, n, 1), operand(e, n, 2), operand(e, n, 3),
                    operand(e, n, 4), y, e.savedField(n.id()), t.dim(1).bound(), Sizes.spatial(t),
                    (float) bn.momentum(), (float) bn.eps(), bn.relu());
        }
        if (n.op() instanceof BatchNormReluMaxPool bn) {
            TensorType x = e.type(n.inputs().get(0));
            return stmt("$T.forwardTraining($L, $L, $L, $L, $L, $L, $L, $L, n, $Lf, $Lf$L)",
                    RuntimeNames.BATCH_NORM_POOL, operand(e, n, 0), operand(e, n, 1), operand(e, n, 2),
                    operand(e, n, 3), operand(e, n, 4), e.geometries().pool(bn.pool(), x, n.origin().path()), y,
                    e.savedField(n.id()), (float) bn.momentum(), (float) bn.eps(),
                    LayoutArgs.of(e.graph().layout(n.inputs().get(0)), e.graph().layout(n.id())));
        }
        if (n.op() instanceof BatchNormInference bn) {
            return stmt("$T.forwardInference($L, $L, $L, $L, $L, $L, n, $L, $L, $Lf, false)", RuntimeNames.BATCH_NORM,
                    operand(e, n, 0), operand(e, n, 1), operand(e, n, 2), operand(e, n, 3), operand(e, n, 4), y,
                    t.dim(1).bound(), Sizes.spatial(t), (float) bn.eps());
        }
        if (n.op() instanceof BatchNormInferenceGradInput bn) {
            return stmt("$T.backwardInputInference($L, $L, $L, $L, n, $L, $L, $Lf)", RuntimeNames.BATCH_NORM,
                    operand(e, n, 0), operand(e, n, 1), operand(e, n, 2), y, t.dim(1).bound(), Sizes.spatial(t),
                    (float) bn.eps());
        }
        if (n.op() instanceof BatchNormFoldWeight f) {
            TensorType w = n.type();
            return stmt("$T.foldWeight($L, $L, $L, $L, $L, $L, $Lf)", RuntimeNames.BATCH_NORM, operand(e, n, 0),
                    operand(e, n, 1), operand(e, n, 2), y, w.dim(0).bound(), Sizes.inner(w, 1), (float) f.eps());
        }
        if (n.op() instanceof BatchNormFoldBias f) {
            int first = f.withBias() ? 1 : 0;
            return stmt("$T.foldBias($L, $L, $L, $L, $L, $L, $L, $Lf)", RuntimeNames.BATCH_NORM,
                    f.withBias() ? operand(e, n, 0) : "null", operand(e, n, first), operand(e, n, first + 1),
                    operand(e, n, first + 2), operand(e, n, first + 3), y, t.dim(0).bound(), (float) f.eps());
        }
        if (n.op() instanceof LayerNorm ln) {
            return stmt("$T.forward($L, $L, $L, $L, null, null, $L, $L, $Lf)", RuntimeNames.LAYER_NORM,
                    operand(e, n, 0), operand(e, n, 1), operand(e, n, 2), y, Sizes.rows(t), Sizes.last(t),
                    (float) ln.eps());
        }
        if (n.op() instanceof LayerNormGradInput g) {
            return stmt("$T.backward($L, $L, $L, null, null, $L, null, null, $L, $L, $Lf, false, false)",
                    RuntimeNames.LAYER_NORM, operand(e, n, 1), operand(e, n, 0), operand(e, n, 2), y, Sizes.rows(t),
                    Sizes.last(t), (float) g.eps());
        }
        if (n.op() instanceof LayerNormGradGamma g) {
            TensorType x = e.type(n.inputs().get(1));
            return stmt("$T.backward($L, $L, null, null, null, null, $L, null, $L, $L, $Lf, false, false)",
                    RuntimeNames.LAYER_NORM, operand(e, n, 1), operand(e, n, 0), y, Sizes.rows(x), Sizes.last(x),
                    (float) g.eps());
        }
        return null;
    }

    private static String operand(ProgramView e, Node n, int i) {
        return e.field(n.inputs().get(i));
    }
}
