package org.dnnc.compiler.target;

import org.dnnc.compiler.ir.CellKind;
import org.dnnc.compiler.ir.Conv2d;
import org.dnnc.compiler.ir.Conv2dGradInput;
import org.dnnc.compiler.ir.Conv2dGradWeight;
import org.dnnc.compiler.ir.ConvBiasActivation;
import org.dnnc.compiler.ir.Graph;
import org.dnnc.compiler.ir.Node;
import org.dnnc.compiler.ir.Recurrent;
import org.dnnc.compiler.ir.RecurrentGrad;
import org.dnnc.compiler.ir.TensorType;

/**
 * The working memory a node's runtime call needs beside its operands and result, which the planner
 * places like a value that lives only during that call, and what a call saves for its gradient's.
 *
 * <p>Convolutions lower each example to a column matrix ({@code C*kh*kw} by {@code oh*ow}) for one
 * GEMM, or on small maps several examples' column matrices and outputs ({@link ConvAlgorithms});
 * the runtime splits the batch over {@link #THREADS} threads when it has such a region per
 * thread, and for the kernel's gradient a partial sum of the kernel per thread but the first. This
 * is the runtime's {@code Conv2d.scratchFloats(geometry, THREADS)}.
 *
 * <p>A recurrent layer's forward call fills a workspace with every step's gates and states, which
 * its backward call reads: saved while training (it lives until the gradient's call), scratch in
 * programs without the gradient. This is the runtime's {@code Recurrent.workspaceFloats(geometry,
 * batch)}. Tests keep both in step with the runtime.
 */
final class CpuScratch {
    /** The threads a convolution may split its batch over (the runtime's {@code Workers.MAX_THREADS}). */
    static final int THREADS = 2;

    private CpuScratch() {}

    /** Floats of scratch {@code n} needs for batches of at most {@code batch}; 0 for most ops. */
    static long floats(Graph graph, Node n, int batch) {
        if (n.op() instanceof Conv2d c) {
            return THREADS * columns(c, type(graph, n, 0), type(graph, n, 1), n.type());
        }
        if (n.op() instanceof ConvBiasActivation f) {
            return THREADS * columns(f.conv(), type(graph, n, 0), type(graph, n, 1), n.type());
        }
        if (n.op() instanceof Conv2dGradInput g) {
            return THREADS * columns(g.forward(), n.type(), type(graph, n, 1), type(graph, n, 0));
        }
        if (n.op() instanceof Conv2dGradWeight g) {
            long weight = n.type().dims().stream().mapToLong(d -> d.bound()).reduce(1, (a, b) -> a * b);
            return THREADS * columns(g.forward(), type(graph, n, 1), n.type(), type(graph, n, 0))
                    + (THREADS - 1) * weight;
        }
        if (n.op() instanceof Recurrent r && !differentiated(graph, n)) {
            return recurrentWorkspace(r, type(graph, n, 0), batch);
        }
        return 0;
    }

    /** Floats that {@code n}'s call saves for its gradient's, for batches of at most {@code batch}; 0 for most ops. */
    static long savedFloats(Graph graph, Node n, int batch) {
        if (n.op() instanceof Recurrent r && differentiated(graph, n)) {
            return recurrentWorkspace(r, type(graph, n, 0), batch);
        }
        return 0;
    }

    /**
     * Whether the program back-propagates through the recurrent layer {@code n}: a gradient reads
     * its result as the layer's (not as the input of the next layer).
     */
    private static boolean differentiated(Graph graph, Node n) {
        return graph.users(n.id()).stream().anyMatch(u -> u.op() instanceof RecurrentGrad && u.inputs().get(1) == n.id());
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

    /** A thread's region: see {@link ConvAlgorithms#regionFloats}. */
    private static long columns(Conv2d c, TensorType x, TensorType w, TensorType y) {
        return ConvAlgorithms.regionFloats(ConvShape.of(c, x, w));
    }

    private static TensorType type(Graph graph, Node n, int operand) {
        return graph.node(n.inputs().get(operand)).type();
    }
}
