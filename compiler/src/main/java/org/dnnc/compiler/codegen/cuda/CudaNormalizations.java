package org.dnnc.compiler.codegen.cuda;

import com.palantir.javapoet.ClassName;
import com.palantir.javapoet.CodeBlock;
import java.util.List;
import org.dnnc.compiler.codegen.CodegenException;
import org.dnnc.compiler.codegen.ProgramView;
import org.dnnc.compiler.codegen.Sizes;
import org.dnnc.compiler.ir.BatchNorm;
import org.dnnc.compiler.ir.BatchNormFoldBias;
import org.dnnc.compiler.ir.BatchNormFoldWeight;
import org.dnnc.compiler.ir.BatchNormGradGamma;
import org.dnnc.compiler.ir.BatchNormGradInput;
import org.dnnc.compiler.ir.BatchNormInference;
import org.dnnc.compiler.ir.BatchNormInferenceGradInput;
import org.dnnc.compiler.ir.Node;
import org.dnnc.compiler.ir.TensorType;

/**
 * The CUDA calls of batch normalization ({@code CudaBatchNorm}): training (with a residual and a
 * ReLU when fused), inference, the input gradient of a frozen layer, the folds into a layer's
 * weights and bias, and the training gradients as one call per group, as the CPU's ({@code
 * CallGroups}). Each call but the folds gets the planned scratch of {@code CudaBatchNorm.scratchSize}
 * floats. The gradients' call recomputes the batch's statistics from x (the CPU's reads those its
 * forward saved).
 */
final class CudaNormalizations {
    private static final ClassName BATCH_NORM = ClassName.get("org.dnnc.runtime.cuda", "CudaBatchNorm");

    private CudaNormalizations() {}

    /**
     * Operands x, gamma, beta, running mean, running variance and, when fused, the residual. Saves no
     * statistics: the gradients' call recomputes them (see {@code target/CudaScratch}).
     */
    static CodeBlock training(Node n, ProgramView p) {
        BatchNorm bn = (BatchNorm) n.op();
        TensorType t = n.type();
        return stmt("$T.forwardTraining(ctx, $L, $L, $L, $L, $L, $L, null, null, $L, n, $L, $L, $Lf, $Lf, $L, $L)",
                BATCH_NORM, operand(p, n, 0), operand(p, n, 1), operand(p, n, 2), operand(p, n, 3), operand(p, n, 4),
                p.field(n.id()), bn.residual() ? operand(p, n, 5) : "null", t.dim(1).bound(), Sizes.spatial(t),
                (float) bn.momentum(), (float) bn.eps(), bn.relu(), p.scratchField(n.id()));
    }

    static CodeBlock inference(Node n, ProgramView p) {
        TensorType t = n.type();
        return stmt("$T.forwardInference(ctx, $L, $L, $L, $L, $L, $L, n, $L, $L, $Lf, false, $L)", BATCH_NORM,
                operand(p, n, 0), operand(p, n, 1), operand(p, n, 2), operand(p, n, 3), operand(p, n, 4),
                p.field(n.id()), t.dim(1).bound(), Sizes.spatial(t), (float) ((BatchNormInference) n.op()).eps(),
                p.scratchField(n.id()));
    }

    /** Operands dy, gamma, running variance. */
    static CodeBlock inferenceGradInput(Node n, ProgramView p) {
        TensorType t = n.type();
        return stmt("$T.backwardInputInference(ctx, $L, $L, $L, $L, n, $L, $L, $Lf, $L)", BATCH_NORM, operand(p, n, 0),
                operand(p, n, 1), operand(p, n, 2), p.field(n.id()), t.dim(1).bound(), Sizes.spatial(t),
                (float) ((BatchNormInferenceGradInput) n.op()).eps(), p.scratchField(n.id()));
    }

    /** Operands w, gamma, running variance. */
    static CodeBlock foldWeight(Node n, ProgramView p) {
        TensorType w = n.type();
        return stmt("$T.foldWeight(ctx, $L, $L, $L, $L, $L, $L, $Lf)", BATCH_NORM, operand(p, n, 0), operand(p, n, 1),
                operand(p, n, 2), p.field(n.id()), w.dim(0).bound(), Sizes.inner(w, 1),
                (float) ((BatchNormFoldWeight) n.op()).eps());
    }

    /** Operands [bias,] gamma, beta, running mean, running variance. */
    static CodeBlock foldBias(Node n, ProgramView p) {
        BatchNormFoldBias f = (BatchNormFoldBias) n.op();
        int first = f.withBias() ? 1 : 0;
        return stmt("$T.foldBias(ctx, $L, $L, $L, $L, $L, $L, $L, $Lf)", BATCH_NORM,
                f.withBias() ? operand(p, n, 0) : "null", operand(p, n, first), operand(p, n, first + 1),
                operand(p, n, first + 2), operand(p, n, first + 3), p.field(n.id()), n.type().dim(0).bound(),
                (float) f.eps());
    }

    /**
     * The gradients of one training batch normalization that {@code n}'s call computes (its group,
     * or {@code n} alone): with respect to x, gamma and beta (a {@code BatchNormReluGradBeta}, or
     * the {@code bias_grad} of dy), the statistics recomputed from x; with a fused ReLU, dy is masked
     * by the ReLU's output y, the gradients' last operand.
     *
     * @throws CodegenException for a beta gradient without the input's or gamma's, which read x
     */
    static CodeBlock backward(Node n, ProgramView p) throws CodegenException {
        String dx = "null";
        String dgamma = "null";
        String dbeta = "null";
        String gamma = "null";
        Node reader = null;
        boolean relu = false;
        double eps = 0;
        for (Node m : p.callMembers(n)) {
            if (m.op() instanceof BatchNormGradInput g) {
                dx = p.field(m.id());
                gamma = operand(p, m, 2);
                reader = m;
                relu = g.relu();
                eps = g.eps();
            } else if (m.op() instanceof BatchNormGradGamma g) {
                dgamma = p.field(m.id());
                reader = reader == null ? m : reader;
                relu = g.relu();
                eps = g.eps();
            } else {
                dbeta = p.field(m.id());
            }
        }
        if (reader == null) {
            throw new CodegenException("the cuda target has no kernel call for a batchnorm beta gradient without the"
                    + " input's or gamma's", n.origin());
        }
        List<Integer> in = reader.inputs();
        TensorType dy = p.type(in.get(0));
        return stmt("$T.backward(ctx, $L, $L, $L, $L, null, null, $L, $L, $L, n, $L, $L, $Lf, $L, false, false, $L)",
                BATCH_NORM, p.field(in.get(1)), relu ? p.field(in.get(in.size() - 1)) : "null", p.field(in.get(0)),
                gamma, dx, dgamma, dbeta, dy.dim(1).bound(), Sizes.spatial(dy), (float) eps, relu,
                p.scratchField(n.id()));
    }

    private static String operand(ProgramView p, Node n, int i) {
        return p.field(n.inputs().get(i));
    }

    private static CodeBlock stmt(String format, Object... args) {
        return CodeBlock.builder().addStatement(format, args).build();
    }
}
