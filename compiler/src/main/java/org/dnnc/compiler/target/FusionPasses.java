package org.dnnc.compiler.target;

import java.util.List;
import java.util.ArrayList;
import org.dnnc.compiler.passes.BatchNormFolding;
import org.dnnc.compiler.passes.BatchNormPoolFusion;
import org.dnnc.compiler.passes.BatchNormReluFusion;
import org.dnnc.compiler.passes.BatchNormResidualFusion;
import org.dnnc.compiler.passes.ConvEpilogueFusion;
import org.dnnc.compiler.passes.ConvFusion;
import org.dnnc.compiler.passes.DeadCodeElimination;
import org.dnnc.compiler.passes.DenseFusion;
import org.dnnc.compiler.passes.ElementwiseFusion;
import org.dnnc.compiler.passes.LayoutAssignment;
import org.dnnc.compiler.passes.Pass;
import org.dnnc.compiler.passes.PassManager;

/**
 * The folding and fusion passes, in order. Every one saves passes over memory, which is what both
 * a CPU's caches and a GPU's bandwidth reward, and on a GPU a kernel launch per fused op as well; so
 * the CPU and CUDA targets run the same list, and what differs is the kernel each fused node becomes.
 * The CPU adds two: max pooling fused into batchnorm+ReLU, which the CUDA kernels do not have yet,
 * and, last because a pass that rebuilds a graph drops its layouts, {@link LayoutAssignment}, which
 * keeps the activations between its convolutions and batch norms in oneDNN's blocked layout. The
 * CUDA target adds one last: a convolution's bias and activation, which the CPU applies in its
 * convolution's epilogue, join the element-wise chain after them as one generated kernel ({@link
 * ConvEpilogueFusion}).
 */
final class FusionPasses {
    private FusionPasses() {}

    /**
     * All of them with {@link ConvEpilogueFusion} last, for the GPU, or with {@code fuse} false only
     * dead-code elimination (which changes no kernel call).
     */
    static PassManager of(boolean fuse) {
        return of(fuse, false);
    }

    /**
     * The shared passes with {@link BatchNormPoolFusion} after the batchnorm+ReLU fusion and {@link
     * LayoutAssignment} last, for the CPU.
     */
    static PassManager cpu(boolean fuse) {
        return of(fuse, true);
    }

    private static PassManager of(boolean fuse, boolean cpu) {
        if (!fuse) {
            return new PassManager(List.of(new DeadCodeElimination()));
        }
        List<Pass> passes = new ArrayList<>(List.of(new DeadCodeElimination(), new BatchNormFolding(),
                new BatchNormResidualFusion(), new BatchNormReluFusion()));
        if (cpu) {
            passes.add(new BatchNormPoolFusion());
        }
        passes.addAll(List.of(new ConvFusion(), new DenseFusion(), new ElementwiseFusion()));
        passes.add(cpu ? new LayoutAssignment() : new ConvEpilogueFusion());
        return new PassManager(List.copyOf(passes));
    }
}
