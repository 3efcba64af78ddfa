package org.dnnc.compiler.target;

import java.util.List;
import org.dnnc.compiler.codegen.KernelEmitter;
import org.dnnc.compiler.ir.Graph;
import org.dnnc.compiler.memory.PlanRules;
import org.dnnc.compiler.passes.PassManager;

/**
 * Everything that depends on the machine a network is compiled for: which passes pay on it, how
 * its memory is aligned and how much scratch its calls need, and the kernel call each op becomes.
 * The front end, differentiation and the planner know no device; a new backend is a new target.
 */
public interface Target {

    /** A short name for messages and dumps, such as {@code cpu}. */
    String name();

    /**
     * The passes that turn a differentiated program into the one this target runs; with {@code fuse}
     * false, only those that change no kernel call (for comparison and debugging).
     */
    PassManager passes(boolean fuse);

    /** Alignment and scratch sizes for the memory planner. */
    PlanRules memory();

    /**
     * One line per convolution call of {@code graph}, for batches of at most {@code batch}: its pass,
     * node and shape, the algorithm this target runs it with and why ({@code dnnc graph --explain}).
     */
    List<String> explainConvolutions(Graph graph, int batch);

    /**
     * One line per GEMM of a dense layer where this target chooses how to run it, for batches of at
     * most {@code batch} ({@code dnnc graph --explain}); none where it has one way.
     */
    default List<String> explainDenseGemms(Graph graph, int batch) {
        return List.of();
    }

    /** The kernel calls of each op, as Java source. */
    KernelEmitter kernels();

    /**
     * Whether plain SGD's embedding gradients may hold only the rows of the batch's ids ({@code
     * EmbeddingGrad.sparse}, see {@code SparseEmbeddingGradients}), whose step lists those rows on
     * the host; otherwise every gradient is dense.
     */
    default boolean sparseEmbeddingGradients() {
        return true;
    }
}
