package org.dnnc.compiler.codegen;

import static com.google.common.truth.Truth.assertThat;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.palantir.javapoet.ClassName;
import com.palantir.javapoet.CodeBlock;
import com.palantir.javapoet.FieldSpec;
import com.palantir.javapoet.JavaFile;
import com.palantir.javapoet.MethodSpec;
import com.palantir.javapoet.TypeSpec;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.lang.model.element.Modifier;
import org.dnnc.compiler.Compiler;
import org.dnnc.compiler.autodiff.Program;
import org.dnnc.compiler.codegen.cuda.CudaKernels;
import org.dnnc.compiler.codegen.cuda.FusedKernels;
import org.dnnc.compiler.diag.SourceFile;
import org.dnnc.compiler.ir.Node;
import org.dnnc.compiler.ir.Param;
import org.dnnc.compiler.lowering.LoweredProgram;
import org.dnnc.compiler.lowering.Lowering;
import org.dnnc.compiler.sema.NetworkModel;
import org.dnnc.compiler.target.CudaTarget;
import org.dnnc.compiler.testing.RepoPaths;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The CUDA target's kernel calls compile against {@code org.dnnc.runtime.cuda}: every call of the
 * MLP example's three programs, put in a class that declares what the calls use as the generated
 * class will (a {@code DevBuf} per planned view and parameter, the context, the dropout state, the
 * counts and a {@code Kernel} per generated kernel), apart from the generated class that holds
 * them ({@code CudaClass}, tested by {@code GeneratedCudaClassTest}); whether the calls compute
 * what the CPU's do needs a GPU.
 */
class CudaKernelsTest {
    private static final String CUDA = "org.dnnc.runtime.cuda";

    @TempDir
    Path work;

    private static Lowering lower(String example) throws Exception {
        SourceFile file = SourceFile.read(RepoPaths.root().resolve("examples/" + example));
        NetworkModel model = Compiler.compile(file).networks().get(0);
        return Lowering.of(model, CudaTarget.INSTANCE, true);
    }

    @Test
    void everyCallOfTheMlpCompilesAgainstTheCudaRuntime() throws Exception {
        Lowering lowering = lower("fashion-mlp/src/main/dnn/FashionMlp.dnn");
        ClassName devBuf = ClassName.get(CUDA, "DevBuf");
        TypeSpec.Builder type = TypeSpec.classBuilder("MlpCalls").addModifiers(Modifier.FINAL)
                .addField(ClassName.get(CUDA, "CudaContext"), "ctx", Modifier.PRIVATE)
                .addField(devBuf, "rng", Modifier.PRIVATE)
                .addField(devBuf, "counts", Modifier.PRIVATE);
        FusedKernels.of(lowering).forEach(k -> type.addField(ClassName.get(CUDA, "Kernel"), k.source().name(),
                Modifier.PRIVATE));
        int calls = 0;
        for (Program.Kind kind : Program.Kind.values()) {
            LoweredProgram program = lowering.program(kind).orElseThrow();
            String prefix = kind.name().toLowerCase(java.util.Locale.ROOT);
            Map<String, String> params = new LinkedHashMap<>();
            for (Node n : program.graph().nodes()) {
                if (n.op() instanceof Param p) {
                    params.put(p.name(), prefix + "Param" + n.id());
                    type.addField(devBuf, prefix + "Param" + n.id(), Modifier.PRIVATE);
                }
            }
            ProgramEmitter emitter = new ProgramEmitter(prefix, program.graph(), program.plan(), params,
                    "FashionMlp.dnn", new Geometries(), CudaTarget.INSTANCE.kernels(), false);
            for (FieldSpec f : emitter.fieldSpecs()) {
                type.addField(devBuf, f.name(), Modifier.PRIVATE);
            }
            List<CodeBlock> body = emitter.body();
            calls += body.size();
            MethodSpec.Builder method = MethodSpec.methodBuilder(prefix).addParameter(int.class, "n");
            body.forEach(method::addCode);
            type.addMethod(method.build());
        }
        String source = JavaFile.builder("calls", type.build()).build().toString();
        JavaSourceCompiler.compile("calls.MlpCalls", source, work, List.of("-Xlint:all", "-Werror"));
        assertThat(calls).isAtLeast(10);
        assertThat(source).contains("Gemm.sgemm(ctx, false, true, n, 256, 784, 1f,");
        assertThat(source).contains("CudaLosses.softmaxCrossEntropy(ctx,");
        // The result follows the per-row sums in the planned scratch, which has room for both.
        assertThat(CudaKernels.LOSS_RESULT).isEqualTo(org.dnnc.runtime.cuda.CudaLosses.RESULT_SIZE);
        assertThat(source).contains("CudaActivations.biasForward(ctx, Activation.RELU, 0.0f,");
        assertThat(source).contains("CudaActivations.backward(ctx, Activation.RELU,");
    }

    @Test
    void anOpWithoutALauncherIsRefusedAtItsSource() throws Exception {
        Lowering lowering = lower("fashion-cnn/src/main/dnn/FashionCnn.dnn");
        LoweredProgram program = lowering.program(Program.Kind.TRAIN).orElseThrow();
        ProgramEmitter emitter = new ProgramEmitter("train", program.graph(), program.plan(), Map.of(), "FashionCnn.dnn",
                new Geometries(), new CudaKernels(), false);
        CodegenException e = assertThrows(CodegenException.class, emitter::body);
        assertThat(e.getMessage()).contains("the cuda target has no kernel call for `conv2d_bias_identity` yet");
        assertThat(e.origin().span().isNone()).isFalse();
    }
}
