package org.dnnc.compiler.target;

import java.util.List;
import org.dnnc.compiler.codegen.CpuKernels;
import org.dnnc.compiler.codegen.KernelEmitter;
import org.dnnc.compiler.ir.Graph;
import org.dnnc.compiler.memory.PlanRules;
import org.dnnc.compiler.passes.PassManager;

/**
 * The CPU: calls into {@code org.dnnc.runtime.cpu} (OpenBLAS GEMMs, Java loops for the rest), values
 * aligned to cache lines, scratch for convolutions split over the runtime's worker threads, and the
 * workspace a recurrent layer saves for its backward pass.
 */
public final class CpuTarget implements Target {

    /** The one CPU target: it has no settings. */
    public static final CpuTarget INSTANCE = new CpuTarget();

    /** Offsets and sizes are multiples of a cache line, which also suits SIMD loads. */
    public static final int ALIGNMENT = 64;

    /**
     * The runtime's largest {@code Arena}: one direct {@code ByteBuffer}, indexed by {@code int}, less
     * the bytes it may skip to align its start.
     */
    public static final long MAX_ARENA_BYTES = Integer.MAX_VALUE - ALIGNMENT;

    private static final PlanRules MEMORY = new FloatPlanRules(ALIGNMENT, MAX_ARENA_BYTES, CpuScratch::floats,
            CpuScratch::savedFloats);

    private final KernelEmitter kernels = new CpuKernels();

    private CpuTarget() {}

    @Override
    public String name() {
        return "cpu";
    }

    /**
     * Folding and fusion as the CPU kernels have them: conv+bias+activation, batchnorm+ReLU(+max
     * pooling), dense, element-wise loops.
     */
    @Override
    public PassManager passes(boolean fuse) {
        return FusionPasses.cpu(fuse);
    }

    /** The CPU's choice depends on the shape and the layouts ({@link ConvAlgorithms}), not on the batch. */
    @Override
    public List<String> explainConvolutions(Graph graph, int batch) {
        return ConvAlgorithms.explain(graph);
    }

    /** oneDNN's matmul or OpenBLAS by the runtime's size rule ({@link DenseGemms}). */
    @Override
    public List<String> explainDenseGemms(Graph graph, int batch) {
        return DenseGemms.explain(graph, batch);
    }

    @Override
    public PlanRules memory() {
        return MEMORY;
    }

    @Override
    public KernelEmitter kernels() {
        return kernels;
    }
}
