package org.dnnc.compiler.target;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.dnnc.compiler.ir.BatchNorm;
import org.dnnc.compiler.ir.BatchNormGradGamma;
import org.dnnc.compiler.ir.BatchNormGradInput;
import org.dnnc.compiler.ir.BatchNormInference;
import org.dnnc.compiler.ir.BatchNormInferenceGradInput;
import org.dnnc.compiler.ir.BatchNormReluGradBeta;
import org.dnnc.compiler.ir.BiasGrad;
import org.dnnc.compiler.ir.Conv2dGradWeight;
import org.dnnc.compiler.ir.CrossEntropy;
import org.dnnc.compiler.ir.Graph;
import org.dnnc.compiler.ir.Node;
import org.dnnc.compiler.ir.Op;
import org.dnnc.compiler.ir.TensorType;

/**
 * The working memory of a call on the GPU, beside its operands and result.
 *
 * <p>Convolutions: without cuDNN, each pass runs im2col (or col2im) over a group of examples into
 * column matrices ({@code C*kh*kw} by {@code oh*ow} each, side by side) and one strided-batched
 * GEMM over the group; the kernel gradient also lays the group's dy side by side ({@code O} by
 * {@code oh*ow} each) after the columns, so that one GEMM over the group adds its part of the
 * gradient. A group has enough examples for {@link #GEMM_COLUMNS} output positions, so that small
 * maps still fill the device, and at most the batch. The runtime derives the group from the
 * scratch it is given ({@code floats / (C*kh*kw * oh*ow)} examples, {@code floats / ((C*kh*kw + O)
 * * oh*ow)} for the kernel gradient), so this is the contract between the two. A 1x1 stride-1
 * convolution without padding needs no columns, but its kernel gradient lays out the group's
 * input ({@code C} rows) and dy alike. With cuDNN the same region is the convolution's workspace.
 *
 * <p>The GPU's batch normalization and cross-entropy reduce on the device into scratch: per-channel
 * coefficients and, for the gradients' call, the batch statistics it recomputes from x ({@link
 * #BATCH_NORM_FLOATS_PER_CHANNEL} floats a channel, the runtime's {@code
 * CudaBatchNorm.scratchSize}), and per-row partial sums ({@link #CROSS_ENTROPY_FLOATS_PER_ROW} a
 * row of logits, so every step's of a sequence, {@code CudaLosses.scratchSize}), followed by the
 * loss's result ({@link #CROSS_ENTROPY_RESULT} floats, {@code CudaLosses.RESULT_SIZE}), from which
 * the call copies the loss and the counts. The training forward saves no statistics here, unlike
 * the CPU's (which saves them in a buffer that lives until the gradients' call): the CUDA kernels
 * have not been timed with them on a GPU.
 *
 * <p>Everything else (a recurrent layer's gates and states, attention workspaces) is laid out as on
 * the CPU ({@link CpuScratch}), where the GPU's kernels are the CPU ones' twins.
 */
final class CudaScratch {
    /** Output positions one GEMM of a convolution's group covers at least, when the batch has them. */
    static final int GEMM_COLUMNS = 16384;

    /** {@code CudaBatchNorm.scratchSize(channels) / channels}. */
    static final int BATCH_NORM_FLOATS_PER_CHANNEL = 6;
    /** {@code CudaLosses.scratchSize(batch) / batch}. */
    static final int CROSS_ENTROPY_FLOATS_PER_ROW = 2;
    /** {@code CudaLosses.RESULT_SIZE}: the mean loss, the correct rows and the counted rows. */
    static final int CROSS_ENTROPY_RESULT = 3;

    private CudaScratch() {}

    /** Floats of scratch {@code n} needs for batches of at most {@code batch}; 0 for most ops. */
    static long floats(Graph graph, Node n, int batch) {
        Optional<ConvShape> conv = ConvShape.ofCall(graph, n);
        if (conv.isPresent()) {
            return n.op() instanceof Conv2dGradWeight ? weightGradient(conv.get(), batch) : columns(conv.get(), batch);
        }
        if (batchNormCall(n.op()) || batchNormBeta(graph, n)) {
            return (long) BATCH_NORM_FLOATS_PER_CHANNEL * channels(graph, n);
        }
        if (n.op() instanceof CrossEntropy) {
            return CROSS_ENTROPY_FLOATS_PER_ROW * rows(graph.node(n.inputs().get(0)).type(), batch) + CROSS_ENTROPY_RESULT;
        }
        return CpuScratch.floats(graph, n, batch);
    }

    /**
     * Floats {@code n}'s call saves for its gradient's: a recurrent layer's or an attention's
     * workspace in the CPU's layout ({@link CpuScratch#savedWorkspaceFloats}); batch statistics are
     * recomputed by the gradients' call.
     */
    static long savedFloats(Graph graph, Node n, int batch) {
        return CpuScratch.savedWorkspaceFloats(graph, n, batch);
    }

    /** The calls of the batch-norm kernels: training and inference forward, and the gradients. */
    private static boolean batchNormCall(Op op) {
        return op instanceof BatchNorm || op instanceof BatchNormInference || op instanceof BatchNormGradInput
                || op instanceof BatchNormGradGamma || op instanceof BatchNormReluGradBeta
                || op instanceof BatchNormInferenceGradInput;
    }

    /**
     * Whether {@code n} is a bias gradient of a batch norm's dy, which may lead the call of the batch
     * norm's gradients (see {@code CallGroups}) and then needs their scratch.
     */
    private static boolean batchNormBeta(Graph graph, Node n) {
        return n.op() instanceof BiasGrad && graph.users(n.inputs().get(0)).stream()
                .anyMatch(u -> u.op() instanceof BatchNormGradInput || u.op() instanceof BatchNormGradGamma);
    }

    /** Rows of logits {@code [N, ..., classes]}: a sequence's logits have one per step of each example. */
    private static long rows(TensorType logits, int batch) {
        long rows = batch;
        for (int d = 1; d < logits.rank() - 1; d++) {
            rows *= logits.dim(d).bound();
        }
        return rows;
    }

    /** Channels of a batch norm: dimension 1 of its result or, for a gradient, of dy, {@code [N, C, ...]}. */
    private static int channels(Graph graph, Node n) {
        TensorType x = n.op() instanceof BatchNorm || n.op() instanceof BatchNormInference ? n.type()
                : graph.node(n.inputs().get(0)).type();
        return x.dim(1).bound();
    }

    /** Examples per GEMM of {@code s}'s convolution, for batches of at most {@code batch}. */
    static int examplesPerGemm(ConvShape s, int batch) {
        return Math.min(batch, Math.max(1, (GEMM_COLUMNS + s.spatial() - 1) / s.spatial()));
    }

    private static long columns(ConvShape s, int batch) {
        return s.isPointwise() ? 0 : (long) examplesPerGemm(s, batch) * s.patchSize() * s.spatial();
    }

    /**
     * A kernel gradient's group: the columns of its examples (their input itself for a pointwise
     * convolution, {@code C} rows) and their dy, each side by side, for one GEMM {@code dW (+)= dy
     * col^T} over the group.
     */
    private static long weightGradient(ConvShape s, int batch) {
        int rows = (s.isPointwise() ? s.channels() : s.patchSize()) + s.filters();
        return (long) examplesPerGemm(s, batch) * rows * s.spatial();
    }

    /** One line per convolution call of {@code graph}: what runs it on the GPU, with cuDNN and without. */
    static List<String> explain(Graph graph, int batch) {
        List<String> lines = new ArrayList<>();
        for (Node n : graph.nodes()) {
            ConvShape.ofCall(graph, n).ifPresent(s -> lines.add(n.op().mnemonic() + " %" + n.id() + " ("
                    + n.origin().path() + ", " + s.describe() + "): cuDNN where its library loads (its algorithm"
                    + " chosen when the class runs), else " + (s.isPointwise()
                            ? "a GEMM on the input (1x1 stride 1 without padding: no im2col)"
                            : "im2col of " + examplesPerGemm(s, batch) + " examples per strided-batched GEMM ("
                                    + s.spatial() + " output positions each, " + GEMM_COLUMNS + " per GEMM wanted)")
                    + (n.op() instanceof Conv2dGradWeight ? "; the kernel gradient lays the group's columns and dy"
                            + " side by side for one GEMM" : "")));
        }
        return lines;
    }
}
