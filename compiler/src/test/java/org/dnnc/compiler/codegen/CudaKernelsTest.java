package org.dnnc.compiler.codegen;

import static com.google.common.truth.Truth.assertThat;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Path;
import java.util.Map;
import org.dnnc.compiler.autodiff.Program;
import org.dnnc.compiler.codegen.cuda.CudaKernels;
import org.dnnc.compiler.lowering.LoweredProgram;
import org.dnnc.compiler.lowering.Lowering;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The CUDA target's kernel calls compile against {@code org.dnnc.runtime.cuda}: every call of the
 * MLP example's three programs, in a class built as {@link CudaCalls} describes; an op without a
 * call is refused at its source. Whether the calls compute what the CPU's do needs a GPU.
 */
class CudaKernelsTest {
    @TempDir
    Path work;

    private static Lowering lower(String example) throws Exception {
        return CudaCalls.lower("examples/" + example);
    }

    @Test
    void everyCallOfTheMlpCompilesAgainstTheCudaRuntime() throws Exception {
        CudaCalls.Source calls = CudaCalls.of("MlpCalls", lower("fashion-mlp/src/main/dnn/FashionMlp.dnn"));
        CudaCalls.compile("MlpCalls", calls, work);
        String source = calls.text();
        assertThat(calls.calls()).isAtLeast(10);
        assertThat(source).contains("Gemm.sgemm(ctx, false, true, n, 256, 784, 1f,");
        assertThat(source).contains("CudaLosses.softmaxCrossEntropy(ctx,");
        // The result follows the per-row sums in the planned scratch, which has room for both.
        assertThat(CudaKernels.LOSS_RESULT).isEqualTo(org.dnnc.runtime.cuda.CudaLosses.RESULT_SIZE);
        assertThat(source).contains("CudaActivations.biasForward(ctx, Activation.RELU, 0.0f,");
        assertThat(source).contains("CudaActivations.backward(ctx, Activation.RELU,");
    }

    @Test
    void anOpWithoutALauncherIsRefusedAtItsSource() throws Exception {
        Lowering lowering = CudaCalls.lower("compiler/src/test/resources/cuda/WeightedCrossEntropy.dnn");
        LoweredProgram program = lowering.program(Program.Kind.TRAIN).orElseThrow();
        ProgramEmitter emitter = new ProgramEmitter("train", program.graph(), program.plan(), Map.of(),
                "WeightedCrossEntropy.dnn",
                new Geometries(), new CudaKernels(), false);
        CodegenException e = assertThrows(CodegenException.class, emitter::body);
        assertThat(e.getMessage()).contains("the cuda target has no kernel call for `cross_entropy_grad` yet");
        assertThat(e.origin().span().isNone()).isFalse();
    }
}
