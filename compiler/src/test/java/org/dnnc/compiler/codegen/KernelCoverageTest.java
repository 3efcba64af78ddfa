package org.dnnc.compiler.codegen;

import static com.google.common.truth.Truth.assertThat;
import static com.google.common.truth.Truth.assertWithMessage;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.dnnc.compiler.ir.Dim;
import org.dnnc.compiler.ir.Dropout;
import org.dnnc.compiler.ir.Node;
import org.dnnc.compiler.ir.Op;
import org.dnnc.compiler.ir.OpSamples;
import org.dnnc.compiler.ir.Origin;
import org.dnnc.compiler.ir.Repeat;
import org.dnnc.compiler.ir.TensorType;
import org.dnnc.compiler.target.CpuTarget;
import org.junit.jupiter.api.Test;

/**
 * Every op of the IR either has a kernel call on the CPU target, needs none (a view, an input or a
 * parameter), or is named here as not emitted yet: an op added to the IR without its emission fails
 * this test, which lists it.
 */
class KernelCoverageTest {
    /**
     * Ops the CPU target cannot emit yet (repetition), and {@code dropout}, which never reaches
     * code generation: training lowers it to a mask and a product, inference removes it.
     */
    private static final Set<Class<? extends Op>> NOT_EMITTED = Set.of(Repeat.class, Dropout.class);

    @Test
    void everyOpOfTheIrIsEmittedOrListed() {
        List<String> missing = missing(CpuTarget.INSTANCE.kernels());
        assertWithMessage("ops without a CPU kernel call; emit them in CpuKernels or list them in NOT_EMITTED")
                .that(missing).isEmpty();
    }

    @Test
    void theListHoldsOnlyOpsThatAreReallyMissing() {
        KernelEmitter kernels = CpuTarget.INSTANCE.kernels();
        for (Class<? extends Op> op : NOT_EMITTED) {
            assertWithMessage("%s is emitted now: take it off NOT_EMITTED", op.getSimpleName())
                    .that(kernels.emitted().contains(op) || kernels.free().contains(op)).isFalse();
        }
    }

    @Test
    void aTargetWithoutAnOpsEmissionIsReportedByName() {
        KernelEmitter full = CpuTarget.INSTANCE.kernels();
        KernelEmitter lacking = new KernelEmitter() {
            @Override
            public com.palantir.javapoet.CodeBlock emit(Node n, ProgramView program) throws CodegenException {
                return full.emit(n, program);
            }

            @Override
            public Set<Class<? extends Op>> emitted() {
                Set<Class<? extends Op>> fewer = new java.util.HashSet<>(full.emitted());
                fewer.remove(org.dnnc.compiler.ir.Softmax.class);
                return fewer;
            }

            @Override
            public Set<Class<? extends Op>> free() {
                return full.free();
            }
        };
        assertThat(missing(lacking)).containsExactly("Softmax");
    }

    @Test
    void emittingAnOpWithoutAKernelNamesIt() {
        Node node = new Node(2, new Repeat(3), List.of(1), TensorType.f32(Dim.BATCH, Dim.of(3), Dim.of(4)),
                Origin.NONE);
        CodegenException e = assertThrows(CodegenException.class, () -> CpuTarget.INSTANCE.kernels().emit(node, null));
        assertThat(e).hasMessageThat().contains("`repeat` on the CPU");
    }

    private static List<String> missing(KernelEmitter kernels) {
        Set<Class<?>> views = new java.util.HashSet<>();
        OpSamples.ops().stream().filter(Op::viewOnly).forEach(op -> views.add(op.getClass()));
        Set<String> names = new TreeSet<>();
        for (Class<?> c : Op.class.getPermittedSubclasses()) {
            if (!kernels.emitted().contains(c) && !kernels.free().contains(c) && !views.contains(c)
                    && !NOT_EMITTED.contains(c)) {
                names.add(c.getSimpleName());
            }
        }
        return List.copyOf(names);
    }
}
