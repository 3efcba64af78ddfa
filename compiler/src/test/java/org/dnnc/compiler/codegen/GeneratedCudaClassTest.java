package org.dnnc.compiler.codegen;

import static com.google.common.truth.Truth.assertThat;
import static com.google.common.truth.Truth.assertWithMessage;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.File;
import java.lang.reflect.Field;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Modifier;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.dnnc.compiler.Compiler;
import org.dnnc.compiler.diag.SourceFile;
import org.dnnc.compiler.sema.NetworkModel;
import org.dnnc.compiler.target.CpuTarget;
import org.dnnc.compiler.target.CudaTarget;
import org.dnnc.compiler.testing.Nvcc;
import org.dnnc.compiler.testing.RepoPaths;
import org.dnnc.runtime.Device;
import org.dnnc.runtime.cuda.Cuda;
import org.dnnc.runtime.cuda.CudaUnavailableException;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The MLP example compiled with the CUDA target as well as the CPU's: its Java compiles without a
 * warning, its generated kernels compile with nvcc, a CPU instance of it trains without loading any
 * CUDA class, and choosing CUDA where the machine cannot run it fails at {@code build()} with what
 * {@link Cuda#availability()} says is missing. What it computes on a GPU is {@code
 * GeneratedCudaTrainingTest}'s, which needs one.
 */
class GeneratedCudaClassTest {
    static final Path MLP = RepoPaths.root().resolve("examples/fashion-mlp/src/main/dnn/FashionMlp.dnn");
    /** A small MLP with dropout, whose gradient has a fused element-wise chain: a generated kernel. */
    static final Path DROPOUT_MLP = RepoPaths.testResources().resolve("autodiff/Mlp.dnn");
    /** Clipping by norm and by value, and SGD with momentum, whose first step differs from the others. */
    static final String CLIPPED = """
            package org.dnnc.test;

            network Clipped {
                input x: float[6];
                input label: int;
                logits = x -> dense(8) -> tanh -> dense(3);
                output probs = softmax(logits);
                train {
                    loss      = cross_entropy(logits, label);
                    optimizer = sgd(lr: 0.1, momentum: 0.9);
                    batch     = 8;
                    clip_norm = 0.5;
                    clip_value = 0.05;
                }
            }
            """;
    private static final List<String> LINT = List.of("-Xlint:all", "-Werror");

    @TempDir
    static Path work;

    private static String source;
    private static Class<?> generated;
    private static NetworkModel model;

    @BeforeAll
    static void generate() throws Exception {
        SourceFile file = SourceFile.read(MLP);
        model = Compiler.compile(file).networks().get(0);
        source = JavaGenerator.generate(model, file, true, Set.of(CpuTarget.INSTANCE, CudaTarget.INSTANCE)).toString();
        generated = JavaSourceCompiler.compile(model.qualifiedName(), source, work, LINT);
    }

    @Test
    void theClassHasACudaHalfThatItsPublicCallsDispatchTo() {
        assertThat(source).contains("private static final class OnCuda {");
        assertThat(source).contains("private final OnCuda cuda;");
        // Each step and pass on the device; the host's parameters synchronized around checkpoints.
        assertThat(source).contains("return cuda.trainStep(batch, count, learningRate);");
        assertThat(source).contains("return cuda.startTrainStep(batch, count, learningRate);");
        assertThat(source).contains("cuda.onNonFinite(policy);");
        assertThat(source).contains("return cuda.evaluateStep(batch, count);");
        assertThat(source).contains("return cuda.predict(inputs);");
        assertThat(source).contains("cuda.predict(x, count, out);");
        assertThat(count(source, "cuda.syncHost();")).isEqualTo(2);
        assertThat(count(source, "cuda.hostChanging();")).isEqualTo(2);
        assertThat(source).contains("cuda.close();");
        // The device programs: cuBLAS; a step's gate computing Adam's scalars on the device, the updates
        // reading its flag, the whole step captured, its batch through pinned slots and its one read-back
        // asynchronous; an evaluation's read-back.
        assertThat(source).contains("Gemm.sgemm(ctx, false, true, n, 256, 784, 1f, t0_image, w_logits_dense1_weight");
        assertThat(source).contains("ctx.download(readback, hostReadback);");
        assertThat(source).contains("CudaOptimizers.gate(ctx, readback, clipScratch.slice(CudaClipping.normOffset(), 1), "
                + "lr, gate, CudaOptimizers.StepScalars.ADAM, /* beta1 */ 0.9f, /* beta2 */ 0.999f, scalars);");
        assertThat(source).contains("CudaOptimizers.adam(ctx, w_logits_dense1_weight, t");
        assertThat(source).contains(", scalars, apply, /* beta1 */ 0.9f");
        assertThat(source).doesNotContain("Scalars(lr");
        assertThat(source).contains("stepGraph = new CapturedWork(ctx, () -> step(MAX_BATCH));");
        assertThat(source).contains("batches = new PinnedBatches(ctx, MAX_BATCH * 784, MAX_BATCH, 1);");
        assertThat(source).contains("deliveries = new DevBuf[] {t0_image, t1_label, lr};");
        assertThat(source).contains("batches.floats(s, 2).put(0, (float) learningRate);");
        assertThat(source).contains("stepReadback.queue(s, readback);");
        assertThat(source).contains("inferGraph = new CapturedWork(ctx, () -> infer(PREDICT_BATCH));");
    }

    @Test
    void clippingAndTheGradientCheckRunOnTheDevice() throws Exception {
        SourceFile file = new SourceFile(work.resolve("Clipped.dnn").toString(), CLIPPED);
        NetworkModel clipped = Compiler.compile(file).networks().get(0);
        String code = JavaGenerator.generate(clipped, file, true, Set.of(CpuTarget.INSTANCE, CudaTarget.INSTANCE))
                .toString();
        JavaSourceCompiler.compile(clipped.qualifiedName(), code, work.resolve("clipped"), LINT);
        String update = code.substring(code.indexOf("private void update() {"));
        // The norm once, with the clipping factor, at the end of the training program; the gate reads it,
        // and the clipping and the update read the gate's flag.
        assertThat(code).contains("CudaClipping.norm(ctx, gradients, GRADIENT_SIZES, 0.5f, clipScratch);");
        assertThat(update).contains("CudaOptimizers.StepScalars.MOMENTUM, 0f, 0f, scalars);");
        assertThat(update).contains("CudaClipping.scale(ctx, gradients, GRADIENT_SIZES, clipScratch, apply);");
        assertThat(update).contains("CudaClipping.clipValue(ctx, gradients, GRADIENT_SIZES, 0.05f, apply);");
        assertThat(update).contains("CudaOptimizers.momentum(ctx, ");
        assertThat(update.substring(0, update.indexOf("private void step("))).doesNotContain("clipNorm");
        // The generator reserves the clipping scratch the runtime asks for.
        assertThat(CudaClass.CLIP_SCRATCH).isEqualTo(org.dnnc.runtime.cuda.CudaClipping.SCRATCH_SIZE);
    }

    @Test
    void whatTheCudaHalfCannotDoYetIsRefusedAtTheNetwork() throws Exception {
        SourceFile file = new SourceFile(work.resolve("Scorer.dnn").toString(), """
                network Scorer {
                    input x: float[4];
                    output y = x -> dense(2);
                }
                """);
        NetworkModel scorer = Compiler.compile(file).networks().get(0);
        CodegenException e = assertThrows(CodegenException.class, () -> JavaGenerator.generate(scorer, file, true,
                Set.of(CpuTarget.INSTANCE, CudaTarget.INSTANCE)));
        assertThat(e.getMessage()).isEqualTo("the cuda target cannot generate a class without a train section yet:"
                + " compile it for the cpu target only");
        assertThat(e.origin().span().isNone()).isFalse();
    }

    @Test
    void theCpuOnlyClassIsTheOneWithoutTheCudaTarget() throws Exception {
        SourceFile file = SourceFile.read(MLP);
        String cpu = JavaGenerator.generate(model, file, true).toString();
        assertThat(JavaGenerator.generate(model, file, true, Set.of(CpuTarget.INSTANCE)).toString()).isEqualTo(cpu);
        assertThat(cpu).doesNotContain("org.dnnc.runtime.cuda");
        assertThat(cpu).contains("it was compiled for the CPU only; compile it with the cuda target too (dnnc compile"
                + " --target cpu,cuda");
    }

    @Test
    void everyGeneratedKernelInTheClassCompilesWithNvcc() throws Exception {
        SourceFile file = SourceFile.read(DROPOUT_MLP);
        NetworkModel dropout = Compiler.compile(file).networks().get(0);
        String code = JavaGenerator.generate(dropout, file, true, Set.of(CpuTarget.INSTANCE, CudaTarget.INSTANCE))
                .toString();
        Class<?> withKernels = JavaSourceCompiler.compile(dropout.qualifiedName(), code, work.resolve("dropout"), LINT);
        assertThat(code).contains("CudaDropout.mask(ctx, ");
        assertThat(code).contains("CudaDropout.setState(ctx, rng, owner.rng.state());");
        assertThat(code).contains("owner.rng.setState(CudaDropout.state(ctx, rng));");
        List<String> kernels = new ArrayList<>();
        for (Class<?> nested : withKernels.getDeclaredClasses()) {
            for (Field f : nested.getDeclaredFields()) {
                if (Modifier.isStatic(f.getModifiers()) && f.getName().endsWith("_SOURCE")) {
                    f.setAccessible(true);
                    kernels.add((String) f.get(null));
                }
            }
        }
        assertThat(kernels).isNotEmpty();
        assertThat(kernels.size()).isEqualTo(org.dnnc.compiler.codegen.cuda.FusedKernels.of(
                org.dnnc.compiler.lowering.Lowering.of(dropout, CudaTarget.INSTANCE, true)).size());
        Assumptions.assumeTrue(Nvcc.present(), Nvcc.reason());
        for (int k = 0; k < kernels.size(); k++) {
            Path cu = work.resolve("kernel" + k + ".cu");
            Files.writeString(cu, kernels.get(k));
            Nvcc.Result r = Nvcc.run(work, "-ptx", "-arch=compute_90", cu.toString(), "-o", work.resolve("kernel" + k
                    + ".ptx").toString());
            assertWithMessage("nvcc on\n%s\nsaid:\n%s", kernels.get(k), r.output()).that(r.exitCode()).isEqualTo(0);
        }
    }

    @Test
    void cudaWhereItCannotRunFailsAtBuildWithWhatIsMissing() throws Exception {
        Assumptions.assumeFalse(Cuda.availability().present(), "this machine has a GPU: GeneratedCudaTrainingTest runs");
        Object builder = generated.getMethod("builder").invoke(null);
        builder.getClass().getMethod("device", Device.class).invoke(builder, Device.CUDA);
        InvocationTargetException e = assertThrows(InvocationTargetException.class,
                () -> builder.getClass().getMethod("build").invoke(builder));
        assertThat(e.getCause()).isInstanceOf(CudaUnavailableException.class);
        assertThat(e.getCause().getMessage()).isEqualTo(Cuda.availability().reason());
        assertThat(Device.best()).isEqualTo(Device.CPU);
    }

    @Test
    void tf32IsForCudaOnly() throws Exception {
        assertThat(source).contains("cuda = OnCuda.open(this, builder.tf32);");
        assertThat(source).contains("CudaContext.open(CudaOptions.builder().tf32(tf32).build())");
        Object builder = generated.getMethod("builder").invoke(null);
        builder.getClass().getMethod("tf32", boolean.class).invoke(builder, true);
        InvocationTargetException e = assertThrows(InvocationTargetException.class,
                () -> builder.getClass().getMethod("build").invoke(builder));
        assertThat(e.getCause()).hasMessageThat()
                .isEqualTo("tf32(true) applies to CUDA only: choose device(Device.CUDA) too, or leave tf32 off");
    }

    @Test
    void aCpuInstanceTrainsWithoutLoadingAnyCudaClass() throws Exception {
        String classPath = System.getProperty("java.class.path") + File.pathSeparator + work.resolve("classes");
        Process child = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-verbose:class", "-cp", classPath, CpuOnlyChild.class.getName(), model.qualifiedName())
                .redirectErrorStream(true).start();
        String output = new String(child.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertWithMessage("the child JVM said:\n%s", tail(output)).that(child.waitFor()).isEqualTo(0);
        assertThat(output).contains(CpuOnlyChild.DONE);
        // The class and its CPU kernels were loaded: the log is the one of a JVM that trained.
        assertThat(output).contains(model.qualifiedName() + " source:");
        assertThat(output).contains("org.dnnc.runtime.cpu.Optimizers");
        List<String> cuda = output.lines().filter(l -> l.contains("org.dnnc.runtime.cuda") || l.contains("org.bytedeco.cuda")
                || l.contains("$OnCuda")).toList();
        assertThat(cuda).isEmpty();
    }

    private static int count(String text, String what) {
        int n = 0;
        for (int at = text.indexOf(what); at >= 0; at = text.indexOf(what, at + 1)) {
            n++;
        }
        return n;
    }

    private static String tail(String output) {
        return output.length() > 4000 ? output.substring(output.length() - 4000) : output;
    }
}
