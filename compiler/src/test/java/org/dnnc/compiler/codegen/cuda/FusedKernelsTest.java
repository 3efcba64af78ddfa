package org.dnnc.compiler.codegen.cuda;

import static com.google.common.truth.Truth.assertThat;
import static com.google.common.truth.Truth.assertWithMessage;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.dnnc.compiler.Compiler;
import org.dnnc.compiler.diag.SourceFile;
import org.dnnc.compiler.lowering.Lowering;
import org.dnnc.compiler.sema.NetworkModel;
import org.dnnc.compiler.target.CudaTarget;
import org.dnnc.compiler.testing.Nvcc;
import org.dnnc.compiler.testing.RepoPaths;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every CUDA C kernel generated for the example and benchmark networks compiles with {@code nvcc
 * -ptx -arch=compute_90} (Hopper's virtual architecture, which the driver compiles on) into an
 * entry of its own name. NVRTC compiles the same text at run time.
 */
class FusedKernelsTest {
    @TempDir
    Path work;

    private static List<Path> networks() {
        return Stream.concat(RepoPaths.exampleFiles().stream(),
                RepoPaths.filesIn(RepoPaths.root().resolve("bench/networks"), ".dnn").stream()).toList();
    }

    private static List<FusedKernels.Kernel> kernels(Path file) throws Exception {
        List<FusedKernels.Kernel> all = new ArrayList<>();
        for (NetworkModel model : Compiler.compile(SourceFile.read(file)).networks()) {
            all.addAll(FusedKernels.of(Lowering.of(model, CudaTarget.INSTANCE, true)));
        }
        return all;
    }

    /** One test per network that has kernels; {@link #theExamplesHaveKernelsWithDistinctNames} checks that some do. */
    @TestFactory
    Stream<DynamicTest> everyGeneratedKernelCompilesToPtx() throws Exception {
        List<DynamicTest> tests = new ArrayList<>();
        for (Path file : networks()) {
            List<FusedKernels.Kernel> kernels = kernels(file);
            if (!kernels.isEmpty()) {
                tests.add(DynamicTest.dynamicTest(file.getFileName().toString(), () -> compiles(kernels)));
            }
        }
        return tests.stream();
    }

    private void compiles(List<FusedKernels.Kernel> kernels) throws Exception {
        Assumptions.assumeTrue(Nvcc.present(), Nvcc.reason());
        StringBuilder source = new StringBuilder();
        kernels.forEach(k -> source.append(k.header()).append(k.source().source()).append('\n'));
        Path cu = work.resolve("kernels.cu");
        Files.writeString(cu, source);
        Nvcc.Result result = Nvcc.run(work, "-ptx", "-arch=compute_90", "-o", "kernels.ptx", "kernels.cu");
        assertWithMessage("nvcc on\n%s", source).that(result.output()).isEmpty();
        assertThat(result.exitCode()).isEqualTo(0);
        String ptx = Files.readString(work.resolve("kernels.ptx"));
        for (FusedKernels.Kernel k : kernels) {
            assertThat(ptx).contains(".entry " + k.source().name() + "(");
        }
    }

    /**
     * The examples do fuse chains for the GPU, so the test above compiles something; a chain that
     * several nodes compute is one kernel: the residual network's sixteen fused nodes are three
     * chains (the training program's gradient of a residual add; in evaluation and inference, where
     * the batch norms are folded into the convolutions, a convolution's bias and ReLU, and a block's
     * last convolution's bias, the residual add and the ReLU).
     */
    @Test
    void eachDistinctChainIsOneKernel() throws Exception {
        int networksWithKernels = 0;
        for (Path file : networks()) {
            List<FusedKernels.Kernel> kernels = kernels(file);
            assertThat(kernels.stream().map(k -> k.source().name()).toList()).containsNoDuplicates();
            networksWithKernels += kernels.isEmpty() ? 0 : 1;
        }
        assertThat(networksWithKernels).isAtLeast(3);
        Path resnet = RepoPaths.root().resolve("examples/fashion-resnet/src/main/dnn/FashionResnet.dnn");
        List<FusedKernels.Kernel> own = kernels(resnet);
        assertThat(own).hasSize(3);
        assertThat(own.stream().mapToInt(k -> k.uses().size()).sum()).isEqualTo(16);
        assertThat(own.get(0).uses()).containsExactly("train %93 (logits.residual_down1.relu1)",
                "train %124 (logits.relu1)").inOrder();
        assertThat(own.get(0).source().name()).matches("fused_[0-9a-f]{12}");
        assertThat(own.get(1).chain()).isEqualTo("t0 = add(in0, in1); t1 = relu(t0); per channel: in1");
        assertThat(own.get(1).uses()).hasSize(8);
        assertThat(own.get(2).chain()).isEqualTo("t0 = add(in0, in1); t1 = add(in2, t0); t2 = relu(t1); per channel: in1");
        assertThat(own.get(2).uses()).containsExactly("evaluate %26 (logits.residual1.relu1)",
                "evaluate %50 (logits.residual_down1.relu1)", "evaluate %67 (logits.residual2.relu1)",
                "infer %26 (logits.residual1.relu1)", "infer %50 (logits.residual_down1.relu1)",
                "infer %67 (logits.residual2.relu1)").inOrder();
    }
}
