package org.dnnc.compiler.cli;

import static com.google.common.truth.Truth.assertThat;
import static com.google.common.truth.Truth.assertWithMessage;

import java.nio.file.Files;
import java.nio.file.Path;
import org.dnnc.compiler.testing.Golden;
import org.dnnc.compiler.testing.RepoPaths;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code dnnc emit java}, {@code dnnc emit --target cuda} and {@code dnnc compile -d}. */
class EmitCommandTest {
    private static final Path MLP = RepoPaths.root().resolve("examples/fashion-mlp/src/main/dnn/FashionMlp.dnn");

    @TempDir
    Path out;

    @Test
    void emitPrintsTheGeneratedClass() {
        Cli.Result result = Cli.run("emit", "java", MLP.toString());
        assertWithMessage(result.err()).that(result.exitCode()).isEqualTo(Main.OK);
        assertThat(result.out()).contains("public final class FashionMlp implements TrainableNetwork {");
    }

    @Test
    void theLanguageIsJavaUnlessTheTargetIsCuda() {
        assertThat(Cli.run("emit", MLP.toString()).out()).isEqualTo(Cli.run("emit", "java", MLP.toString()).out());
    }

    /** Every CUDA C kernel of the residual network, pinned: a change to a formula or a fusion shows here. */
    @Test
    void cudaTargetPrintsEveryGeneratedKernel() throws Exception {
        Path resnet = RepoPaths.root().resolve("examples/fashion-resnet/src/main/dnn/FashionResnet.dnn");
        Cli.Result result = Cli.run("emit", "--target", "cuda", resnet.toString());
        assertWithMessage(result.err()).that(result.exitCode()).isEqualTo(Main.OK);
        Golden.check(RepoPaths.testResources().resolve("golden/codegen/FashionResnet.cu"), result.out());
        assertThat(result.out()).containsMatch("extern \"C\" __global__ void fused_[0-9a-f]{12}\\(const float\\* in0, const"
                + " float\\* in1, const float\\* in2, float\\* out, int n\\) \\{");
        assertThat(Cli.run("emit", "cuda", resnet.toString()).out()).isEqualTo(result.out());
        Cli.Result none = Cli.run("emit", "cuda", MLP.toString());
        assertThat(none.out()).isEqualTo("// CUDA C kernels of org.dnnc.examples.fashion.FashionMlp\n"
                + "// no fused element-wise chains: every op runs a fixed kernel of the runtime\n");
    }

    @Test
    void cudaCIsForTheCudaTargetOnlyAndUnknownLanguagesAreRefused() {
        Cli.Result cpu = Cli.run("emit", "cuda", "--target", "cpu", MLP.toString());
        assertThat(cpu.exitCode()).isEqualTo(Main.USAGE);
        assertThat(cpu.err()).contains("CUDA C is generated for the cuda target only, not for --target cpu");
        Cli.Result fortran = Cli.run("emit", "fortran", MLP.toString());
        assertThat(fortran.exitCode()).isEqualTo(Main.USAGE);
        assertThat(fortran.err()).contains("unknown language 'fortran' to emit; the languages are java and cuda");
    }

    @Test
    void javaForTheCudaTargetIsTheClassWithItsCudaHalf() {
        Cli.Result result = Cli.run("emit", "java", "--target", "cuda", MLP.toString());
        assertWithMessage(result.err()).that(result.exitCode()).isEqualTo(Main.OK);
        assertThat(result.out()).contains("private static final class OnCuda {");
        assertThat(result.out()).contains("return cuda.trainStep(batch, count, learningRate);");
    }

    @Test
    void compileWithTheCudaTargetWritesTheClassWithItsCudaHalf() throws Exception {
        Cli.Result result = Cli.run("compile", "--target", "cpu,cuda", MLP.toString(), "-d", out.toString());
        assertWithMessage(result.err()).that(result.exitCode()).isEqualTo(Main.OK);
        assertThat(Files.readString(out.resolve("org/dnnc/examples/fashion/FashionMlp.java")))
                .isEqualTo(Cli.run("emit", "java", "--target", "cuda", MLP.toString()).out());
    }

    @Test
    void aNetworkTheCudaTargetCannotRunYetIsRefusedAtItsSource() {
        // A weighted cross-entropy's gradient has no CUDA kernel call yet.
        Path weighted = RepoPaths.root().resolve("compiler/src/test/resources/cuda/WeightedCrossEntropy.dnn");
        Cli.Result result = Cli.run("compile", "--target", "cpu,cuda", weighted.toString(), "-d", out.toString());
        assertThat(result.exitCode()).isEqualTo(Main.INPUT_ERRORS);
        assertThat(result.err()).containsMatch("WeightedCrossEntropy.dnn:15:\\d+: error: the cuda target has no kernel"
                + " call for `cross_entropy_grad`");
        Cli.Result unknown = Cli.run("compile", "--target", "cpu,tpu", MLP.toString(), "-d", out.toString());
        assertThat(unknown.err()).contains("unknown target 'tpu'; the targets are cpu, cuda");
    }

    @Test
    void compileWritesSourcesInPackageFolders() throws Exception {
        Cli.Result result = Cli.run("compile", MLP.toString(), "-d", out.toString());
        assertWithMessage(result.err()).that(result.exitCode()).isEqualTo(Main.OK);
        assertThat(result.out()).isEqualTo("wrote org.dnnc.examples.fashion.FashionMlp\n");
        assertThat(Files.readString(out.resolve("org/dnnc/examples/fashion/FashionMlp.java")))
                .isEqualTo(Cli.run("emit", "java", MLP.toString()).out());
    }

    @Test
    void networksTheGeneratorCannotHandleYetAreReportedAtTheirSource() {
        Path untrainable = RepoPaths.testResources().resolve("cli/untrainable.dnn");
        Cli.Result result = Cli.run("emit", "java", untrainable.toString());
        assertThat(result.exitCode()).isEqualTo(Main.INPUT_ERRORS);
        assertThat(result.err()).contains(":8:15: error: training through `attention_weights` is not supported yet");
        assertThat(result.out()).isEmpty();
    }
}
