package org.dnnc.compiler.target;

import java.util.Optional;
import org.dnnc.compiler.ir.AdditiveAttention;
import org.dnnc.compiler.ir.AdditiveAttentionGrad;
import org.dnnc.compiler.ir.AttentionDecoder;
import org.dnnc.compiler.ir.AttentionDecoderGrad;
import org.dnnc.compiler.ir.AttentionWeights;
import org.dnnc.compiler.ir.BatchNormStatistics;
import org.dnnc.compiler.ir.DecoderWeights;
import org.dnnc.compiler.ir.CellKind;
import org.dnnc.compiler.ir.Graph;
import org.dnnc.compiler.ir.Node;
import org.dnnc.compiler.ir.Recurrent;
import org.dnnc.compiler.ir.RecurrentGrad;
import org.dnnc.compiler.ir.TensorType;

/**
 * The working memory a node's runtime call needs beside its operands and result, which the planner
 * places like a value that lives only during that call, and what a call saves for its gradient's.
 *
 * <p>A convolution's call gets the scratch its pass needs on {@link #THREADS} threads ({@link
 * ConvAlgorithms#scratchFloats}): a column matrix or batched group per thread, a partial kernel
 * for the kernel gradient, or what Winograd rows need where the pass runs them and that is more;
 * and before that, where an operand is blocked, an example's input and output for the runtime's
 * fallback that reorders them ({@link ConvLayouts#scratchFloats}).
 *
 * <p>A recurrent layer's forward call fills a workspace with every step's gates and states, which
 * its backward call reads: saved while training (it lives until the gradient's call), scratch in
 * programs without the gradient. This is the runtime's {@code Recurrent.workspaceFloats(geometry,
 * batch)}. An attention's call keeps its projections, {@code tanh}s and weights the same way (the
 * runtime's {@code Attention.workspaceFloats}), and so does an attention decoder's ({@code
 * AttentionDecoder.workspaceFloats}). Tests keep these in step with the runtime.
 *
 * <p>A training batchnorm's call saves each channel's batch mean and {@code 1 / sqrt(var + eps)}
 * ({@code [2, C]}) for its gradients' call where one reads them ({@link BatchNormStatistics}),
 * which then makes no pass over x to recompute them.
 */
final class CpuScratch {
    /** The threads a convolution may split its batch over (the runtime's {@code Workers.MAX_THREADS}). */
    static final int THREADS = 2;

    private CpuScratch() {}

    /** Floats of scratch {@code n} needs for batches of at most {@code batch}; 0 for most ops. */
    static long floats(Graph graph, Node n, int batch) {
        Optional<ConvShape> conv = ConvShape.ofCall(graph, n);
        if (conv.isPresent()) {
            return ConvLayouts.of(graph, n).scratchFloats(conv.get())
                    + ConvAlgorithms.scratchFloats(conv.get(), ConvAlgorithms.Pass.of(n.op()), THREADS);
        }
        if (n.op() instanceof Recurrent r && !differentiated(graph, n)) {
            return recurrentWorkspace(r, type(graph, n, 0), batch);
        }
        if (n.op() instanceof AdditiveAttention a && !differentiated(graph, n)) {
            return attentionWorkspace(a.units(), type(graph, n, 0), type(graph, n, 1), batch);
        }
        if (n.op() instanceof AttentionWeights w) {
            return attentionWorkspace(w.attention().units(), type(graph, n, 0), type(graph, n, 1), batch);
        }
        if (n.op() instanceof AttentionDecoder d && !differentiated(graph, n)) {
            return decoderWorkspace(d, type(graph, n, 0), type(graph, n, 1), batch);
        }
        if (n.op() instanceof DecoderWeights w) {
            return decoderWorkspace(w.decoder(), type(graph, n, 0), type(graph, n, 1), batch);
        }
        return 0;
    }

    /** Floats that {@code n}'s call saves for its gradient's, for batches of at most {@code batch}; 0 for most ops. */
    static long savedFloats(Graph graph, Node n, int batch) {
        if (!BatchNormStatistics.readersOf(graph, n).isEmpty()) {
            return 2L * type(graph, n, 0).dim(1).bound();
        }
        return savedWorkspaceFloats(graph, n, batch);
    }

    /**
     * Floats that a recurrent layer's or an attention's call saves for its gradient's, for batches of
     * at most {@code batch}; 0 for other ops. Both runtimes lay these workspaces out alike.
     */
    static long savedWorkspaceFloats(Graph graph, Node n, int batch) {
        if (n.op() instanceof Recurrent r && differentiated(graph, n)) {
            return recurrentWorkspace(r, type(graph, n, 0), batch);
        }
        if (n.op() instanceof AdditiveAttention a && differentiated(graph, n)) {
            return attentionWorkspace(a.units(), type(graph, n, 0), type(graph, n, 1), batch);
        }
        if (n.op() instanceof AttentionDecoder d && differentiated(graph, n)) {
            return decoderWorkspace(d, type(graph, n, 0), type(graph, n, 1), batch);
        }
        return 0;
    }

    /**
     * Whether the program back-propagates through the recurrent layer or attention {@code n}: a
     * gradient reads its result as the layer's (not as the input of the next layer).
     */
    private static boolean differentiated(Graph graph, Node n) {
        return graph.users(n.id()).stream().anyMatch(u -> (u.op() instanceof RecurrentGrad
                || u.op() instanceof AdditiveAttentionGrad || u.op() instanceof AttentionDecoderGrad)
                && u.inputs().get(1) == n.id());
    }

    /**
     * The runtime's {@code AttentionDecoder.workspaceFloats}: the gates' input side, activations,
     * states and {@code W_hn g + b_hn} of every step, one step's hidden side, the values' and queries'
     * projections, every step's {@code tanh}s, weights and contexts, and the carried gradients.
     */
    private static long decoderWorkspace(AttentionDecoder d, TensorType x, TensorType values, long batch) {
        long s = x.dim(1).bound();
        long t = values.dim(1).bound();
        long dv = values.dim(2).bound();
        long h = d.hidden();
        long gh = 3 * h;
        long a = d.units();
        return batch * s * gh + s * batch * gh + (s + 1) * batch * h + s * batch * h + batch * gh + batch * t * a
                + s * batch * a + s * batch * t * a + s * batch * t + batch * s * dv + batch * h + batch * dv;
    }

    /**
     * The value and query projections ({@code N*T*A}, {@code N*Tq*A}), every pair's {@code tanh}
     * ({@code N*Tq*T*A}) and the weights ({@code N*Tq*T}); one query counts as {@code Tq = 1}.
     */
    private static long attentionWorkspace(int units, TensorType query, TensorType values, long batch) {
        long queries = query.rank() == 3 ? query.dim(1).bound() : 1;
        long steps = values.dim(1).bound();
        long pairs = batch * queries * steps;
        return batch * steps * units + batch * queries * units + pairs * units + pairs;
    }

    /**
     * The input projections and the gate activations of every step ({@code N*T*G*H} each), the
     * states ({@code (T+1)*N*H}; the LSTM's cell states as many again, the GRU's hidden projection of
     * the new gate {@code T*N*H}), one step's hidden projection ({@code N*G*H}) and the carried
     * gradients ({@code N*H}, twice for the LSTM).
     */
    private static long recurrentWorkspace(Recurrent r, TensorType x, long batch) {
        long steps = x.dim(1).bound();
        long hidden = r.hidden();
        long gates = (long) r.cell().gates() * hidden;
        long aux = switch (r.cell()) {
            case LSTM -> (steps + 1) * batch * hidden;
            case GRU -> steps * batch * hidden;
            case RNN_TANH, RNN_RELU -> 0;
        };
        long carried = batch * hidden * (r.cell() == CellKind.LSTM ? 2 : 1);
        return 2 * batch * steps * gates + (steps + 1) * batch * hidden + aux + batch * gates + carried;
    }

    private static TensorType type(Graph graph, Node n, int operand) {
        return graph.node(n.inputs().get(operand)).type();
    }
}
