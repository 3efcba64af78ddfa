package org.dnnc.compiler.target;

import java.util.List;
import org.dnnc.compiler.codegen.KernelEmitter;
import org.dnnc.compiler.codegen.cuda.CudaKernels;
import org.dnnc.compiler.ir.Graph;
import org.dnnc.compiler.memory.PlanRules;
import org.dnnc.compiler.passes.PassManager;

/**
 * An NVIDIA GPU through {@code org.dnnc.runtime.cuda}: cuBLAS GEMMs, cuDNN convolutions where its
 * library loads (else im2col and GEMM), the fixed kernels of the {@code kernels} module, and one
 * generated CUDA C kernel per fused element-wise chain ({@link
 * org.dnnc.compiler.codegen.cuda.FusedKernels}). The programs are the CPU's: the same checked,
 * differentiated graph and the same fusions ({@link FusionPasses}); the plan differs in alignment
 * and in the convolutions' scratch ({@link CudaScratch}).
 */
public final class CudaTarget implements Target {

    /** The one CUDA target: the device is chosen when the generated class runs, not here. */
    public static final CudaTarget INSTANCE = new CudaTarget();

    /**
     * Offsets and sizes are multiples of 256 bytes, what {@code cudaMalloc} guarantees for an
     * allocation of its own: every value starts as aligned as if it had one, for vector loads and
     * the libraries' fast paths.
     */
    public static final int ALIGNMENT = 256;

    /**
     * No arena is refused at compile time: the runtime addresses device memory with {@code long}
     * offsets, and how much memory the device has is known only when the class runs, where {@code
     * cudaMalloc}'s failure names the bytes asked for.
     */
    public static final long MAX_ARENA_BYTES = Long.MAX_VALUE / ALIGNMENT * ALIGNMENT;

    private static final PlanRules MEMORY = new FloatPlanRules(ALIGNMENT, MAX_ARENA_BYTES, CudaScratch::floats,
            CudaScratch::savedFloats);

    private final KernelEmitter kernels = new CudaKernels();

    private CudaTarget() {}

    @Override
    public String name() {
        return "cuda";
    }

    @Override
    public PassManager passes(boolean fuse) {
        return FusionPasses.of(fuse);
    }

    @Override
    public List<String> explainConvolutions(Graph graph, int batch) {
        return CudaScratch.explain(graph, batch);
    }

    @Override
    public PlanRules memory() {
        return MEMORY;
    }

    @Override
    public KernelEmitter kernels() {
        return kernels;
    }

    /**
     * No: the sparse rows are listed on the host, which would make the step wait for the device; a
     * dense gradient and update are one kernel each over the table, which a GPU does in
     * microseconds, and SGD moves the same rows by the same amounts.
     */
    @Override
    public boolean sparseEmbeddingGradients() {
        return false;
    }
}
