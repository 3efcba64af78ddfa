package org.dnnc.compiler.codegen;

import static com.google.common.truth.Truth.assertThat;
import static com.google.common.truth.Truth.assertWithMessage;

import com.palantir.javapoet.JavaFile;
import com.palantir.javapoet.MethodSpec;
import com.palantir.javapoet.TypeSpec;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.dnnc.compiler.codegen.cuda.FusedKernelSource;
import org.dnnc.compiler.ir.Activation;
import org.dnnc.compiler.ir.ActivationGrad;
import org.dnnc.compiler.ir.ActivationKind;
import org.dnnc.compiler.ir.Binary;
import org.dnnc.compiler.ir.BinaryKind;
import org.dnnc.compiler.ir.Dim;
import org.dnnc.compiler.ir.FusedElementwise;
import org.dnnc.compiler.ir.FusedElementwise.Ref;
import org.dnnc.compiler.ir.Op;
import org.dnnc.compiler.ir.OpSamples;
import org.dnnc.compiler.ir.Scale;
import org.dnnc.compiler.ir.TensorType;
import org.dnnc.compiler.testing.Nvcc;
import org.dnnc.runtime.cpu.Buf;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every kind of fused step prints the same formula in Java (the CPU loop) and CUDA C (the GPU
 * kernel): the same text but for the spelling of numbers and math functions, the same values on
 * the host (nvcc compiles the CUDA C spelling as host code, javac the Java one), and a chain of
 * every kind compiles to PTX for Hopper.
 */
class StepFormulasTest {
    /** Operands of every sign, zero among them, so that each branch of a piecewise step is taken. */
    private static final float[] VALUES = {-3f, -0.5f, 0f, 0.25f, 2f};

    @TempDir
    Path work;

    /** Each kind of step once: the binary ops, a scale, every activation and its gradient (alphas that are not 1). */
    private static List<Op> everyKind() {
        List<Op> ops = new ArrayList<>();
        for (BinaryKind kind : BinaryKind.values()) {
            ops.add(new Binary(kind));
        }
        ops.add(new Scale(-0.125));
        for (ActivationKind kind : ActivationKind.values()) {
            double alpha = kind == ActivationKind.ELU ? 1.5 : 0.01;
            ops.add(new Activation(kind, alpha));
            ops.add(new ActivationGrad(kind, alpha));
        }
        return ops;
    }

    private static Formula formula(Op op) {
        return StepFormulas.of(op, List.of("x0", "x1").subList(0, op.arity()));
    }

    @Test
    void everyElementwiseOpOfTheIrHasAFormula() {
        List<String> kinds = everyKind().stream().map(op -> op.getClass().getSimpleName()).distinct().toList();
        for (Op op : OpSamples.ops()) {
            if (op.elementwise()) {
                assertWithMessage("element-wise op %s has no formula in this test's list", op.mnemonic())
                        .that(kinds).contains(op.getClass().getSimpleName());
                assertThat(formula(op).cuda()).isNotEmpty();
            }
        }
    }

    @Test
    void bothLanguagesSpellTheSameFormula() {
        for (Op op : everyKind()) {
            String java = conditionals(formula(op).java().toString())
                    .replaceAll("\\(float\\) java\\.lang\\.Math\\.(\\w+)\\(", "$1f(")
                    .replace("java.lang.Math.max(", "fmaxf(")
                    .replaceAll("(?<![\\w.])(\\d+)f\\b", "$1.0f");
            assertWithMessage(op.toString()).that(formula(op).cuda()).isEqualTo(java);
        }
    }

    /**
     * The Java spelling with each branch-free {@code ElementwiseChain.positive(test, then, otherwise)}
     * written as C's {@code test > 0f ? then : otherwise}, which it computes.
     */
    private static String conditionals(String java) {
        String call = "org.dnnc.runtime.cpu.ElementwiseChain.positive(";
        int at = java.indexOf(call);
        if (at < 0) {
            return java;
        }
        List<String> args = new ArrayList<>();
        int depth = 0;
        int start = at + call.length();
        int i = start;
        for (; depth >= 0; i++) {
            char c = java.charAt(i);
            if (c == '(') {
                depth++;
            } else if (c == ')') {
                depth--;
            }
            if (depth < 0 || depth == 0 && c == ',') {
                args.add(java.substring(start, i).trim());
                start = i + 1;
            }
        }
        String test = conditionals(args.get(0));
        String operand = test.matches("[\\w.]+") ? test : "(" + test + ")";
        return java.substring(0, at) + operand + " > 0f ? " + conditionals(args.get(1)) + " : "
                + conditionals(args.get(2)) + conditionals(java.substring(i));
    }

    @Test
    void theJavaPrintingIsTheLoopsOwn() {
        assertThat(formula(new Activation(ActivationKind.SIGMOID, 0)).java().toString())
                .isEqualTo("1f / (1f + (float) java.lang.Math.exp(-x0))");
        assertThat(formula(new ActivationGrad(ActivationKind.RELU, 0)).java().toString())
                .isEqualTo("org.dnnc.runtime.cpu.ElementwiseChain.positive(x1, x0, 0f)");
        assertThat(formula(new ActivationGrad(ActivationKind.ELU, 1.5)).cuda()).isEqualTo("x1 > 0.0f ? x0 : x0 * (x1 + 1.5f)");
        assertThat(formula(new ActivationGrad(ActivationKind.SIGMOID, 0)).cuda()).isEqualTo("x0 * x1 * (1.0f - x1)");
        assertThat(formula(new Binary(BinaryKind.SUB)).cuda()).isEqualTo("x0 - x1");
    }

    /**
     * Both spellings evaluated on the same operands agree within 4 ulps: the Java ones compute {@code
     * exp}, {@code expm1} and {@code tanh} in double, the C ones in float (the host's maths library
     * here, the device's on a GPU, both within 2 ulps of the exact value).
     */
    @Test
    void bothLanguagesComputeTheSameValuesOnTheHost() throws Exception {
        Assumptions.assumeTrue(Nvcc.present(), Nvcc.reason());
        List<Op> ops = everyKind();
        TypeSpec.Builder type = TypeSpec.classBuilder("Steps").addModifiers(javax.lang.model.element.Modifier.PUBLIC);
        StringBuilder c = new StringBuilder("#include <cstdio>\n");
        StringBuilder calls = new StringBuilder();
        for (int k = 0; k < ops.size(); k++) {
            type.addMethod(MethodSpec.methodBuilder("s" + k)
                    .addModifiers(javax.lang.model.element.Modifier.PUBLIC, javax.lang.model.element.Modifier.STATIC)
                    .returns(float.class).addParameter(float.class, "x0").addParameter(float.class, "x1")
                    .addStatement("return $L", formula(ops.get(k)).java()).build());
            c.append("__host__ __device__ float s").append(k).append("(float x0, float x1) { return ")
                    .append(formula(ops.get(k)).cuda()).append("; }\n");
            calls.append("            printf(\"%a\\n\", (double) s").append(k).append("(a, b));\n");
        }
        c.append("int main() {\n    float v[] = {");
        for (int i = 0; i < VALUES.length; i++) {
            c.append(i == 0 ? "" : ", ").append(Float.toString(VALUES[i])).append('f');
        }
        c.append("};\n    for (int i = 0; i < ").append(VALUES.length).append("; i++) {\n        for (int j = 0; j < ")
                .append(VALUES.length).append("; j++) {\n            float a = v[i], b = v[j];\n").append(calls)
                .append("        }\n    }\n    return 0;\n}\n");
        Files.writeString(work.resolve("steps.cu"), c);
        Nvcc.Result built = Nvcc.run(work, "-o", "steps", "steps.cu");
        assertWithMessage("nvcc on\n%s", c).that(built.output()).isEmpty();
        assertThat(built.exitCode()).isEqualTo(0);
        Nvcc.Result ran = Nvcc.exec(work, List.of(work.resolve("steps").toString()));
        assertThat(ran.exitCode()).isEqualTo(0);
        String[] lines = ran.output().split("\n");
        assertThat(lines).hasLength(VALUES.length * VALUES.length * ops.size());

        String java = JavaFile.builder("steps", type.build()).build().toString();
        Class<?> steps = JavaSourceCompiler.compile("steps.Steps", java, work.resolve("java"), List.of());
        int line = 0;
        for (float a : VALUES) {
            for (float b : VALUES) {
                for (int k = 0; k < ops.size(); k++) {
                    Method m = steps.getMethod("s" + k, float.class, float.class);
                    assertThat(Modifier.isStatic(m.getModifiers())).isTrue();
                    float expected = (float) m.invoke(null, a, b);
                    float actual = (float) Double.parseDouble(lines[line++]);
                    float tolerance = 4 * Math.ulp(Math.max(Math.abs(expected), Float.MIN_NORMAL));
                    assertWithMessage("%s at (%s, %s): Java %s, CUDA C %s", ops.get(k), a, b, expected, actual)
                            .that(Math.abs(actual - expected)).isAtMost(tolerance);
                }
            }
        }
    }

    /**
     * A chain with a per-channel operand (a convolution's bias, a residual and a ReLU over {@code [2,
     * 3, 2, 2]}) run both ways on the host: the CPU's Java loop, and the generated CUDA C kernel
     * compiled by nvcc as host code (one block of one thread, so its grid-stride loop visits every
     * element). Both read the bias at each element's channel and give the same floats.
     */
    @Test
    void aPerChannelChainComputesTheSameInTheJavaLoopAndTheCudaKernel() throws Exception {
        Assumptions.assumeTrue(Nvcc.present(), Nvcc.reason());
        FusedElementwise chain = new FusedElementwise(List.of(
                new FusedElementwise.Step(new Binary(BinaryKind.ADD), List.of(Ref.input(0), Ref.input(1))),
                new FusedElementwise.Step(new Binary(BinaryKind.ADD), List.of(Ref.step(0), Ref.input(2))),
                new FusedElementwise.Step(new Activation(ActivationKind.RELU, 0), List.of(Ref.step(1)))), List.of(1));
        TensorType type = TensorType.f32(Dim.BATCH, Dim.of(3), Dim.of(2), Dim.of(2));
        int n = 2;
        int size = n * 12;
        float[] x = new float[size];
        float[] residual = new float[size];
        for (int i = 0; i < size; i++) {
            x[i] = (i % 7 - 3) * 0.5f;
            residual[i] = (i % 5 - 2) * 0.25f;
        }
        float[] bias = {0.75f, -1.5f, 0.125f};

        TypeSpec.Builder loop = TypeSpec.classBuilder("Loop").addModifiers(javax.lang.model.element.Modifier.PUBLIC)
                .addMethod(MethodSpec.methodBuilder("run")
                        .addModifiers(javax.lang.model.element.Modifier.PUBLIC, javax.lang.model.element.Modifier.STATIC)
                        .addParameter(int.class, "n").addParameter(Buf.class, "a").addParameter(Buf.class, "b")
                        .addParameter(Buf.class, "c").addParameter(Buf.class, "out")
                        .addCode(ElementwiseLoop.emit(chain, List.of("a", "b", "c"), "out", type)).build());
        Class<?> java = JavaSourceCompiler.compile("loops.Loop",
                JavaFile.builder("loops", loop.build()).build().toString(), work.resolve("loop"), List.of());
        Buf out = Buf.allocate(size);
        java.getMethod("run", int.class, Buf.class, Buf.class, Buf.class, Buf.class)
                .invoke(null, n, Buf.of(x), Buf.of(bias), Buf.of(residual), out);

        FusedKernelSource kernel = FusedKernelSource.of("fused_channels", chain);
        StringBuilder c = new StringBuilder("#include <cmath>\n#include <cstdio>\n#define __global__\n")
                .append("struct Index { unsigned x; };\nstatic Index blockIdx = {0}, threadIdx = {0}, blockDim = {1},")
                .append(" gridDim = {1};\n").append(kernel.source())
                .append("int main() {\n    float x[] = {").append(floats(x)).append("};\n    float b[] = {")
                .append(floats(bias)).append("};\n    float r[] = {").append(floats(residual))
                .append("};\n    float out[").append(size).append("];\n    fused_channels(x, b, r, out, ").append(size)
                .append(", 3, 4);\n    for (int i = 0; i < ").append(size)
                .append("; i++) {\n        printf(\"%a\\n\", (double) out[i]);\n    }\n    return 0;\n}\n");
        Files.writeString(work.resolve("channels.cpp"), c);
        Nvcc.Result built = Nvcc.run(work, "-x", "c++", "-o", "channels", "channels.cpp");
        assertWithMessage("nvcc on\n%s", c).that(built.output()).isEmpty();
        assertThat(built.exitCode()).isEqualTo(0);
        Nvcc.Result ran = Nvcc.exec(work, List.of(work.resolve("channels").toString()));
        assertThat(ran.exitCode()).isEqualTo(0);
        String[] lines = ran.output().split("\n");
        assertThat(lines).hasLength(size);
        for (int i = 0; i < size; i++) {
            float expected = Math.max(x[i] + bias[(i / 4) % 3] + residual[i], 0f);
            assertWithMessage("Java loop at %s", i).that(out.data().get(i)).isEqualTo(expected);
            assertWithMessage("CUDA kernel at %s", i).that((float) Double.parseDouble(lines[i])).isEqualTo(expected);
        }
    }

    private static String floats(float[] values) {
        StringBuilder s = new StringBuilder();
        for (float v : values) {
            s.append(s.length() == 0 ? "" : ", ").append(v).append('f');
        }
        return s.toString();
    }

    @Test
    void aChainOfEveryKindCompilesToPtxForHopper() throws Exception {
        Assumptions.assumeTrue(Nvcc.present(), Nvcc.reason());
        List<FusedElementwise.Step> chain = new ArrayList<>();
        for (Op op : everyKind()) {
            // Each step reads the previous step's value (or the first operand) and the second operand.
            Ref first = chain.isEmpty() ? Ref.input(0) : Ref.step(chain.size() - 1);
            chain.add(new FusedElementwise.Step(op, op.arity() == 1 ? List.of(first) : List.of(first, Ref.input(1))));
        }
        FusedKernelSource kernel = FusedKernelSource.of("fused_every_kind", new FusedElementwise(chain));
        Files.writeString(work.resolve("every.cu"), kernel.source());
        Nvcc.Result ptx = Nvcc.run(work, "-ptx", "-arch=compute_90", "-o", "every.ptx", "every.cu");
        assertWithMessage("nvcc on\n%s", kernel.source()).that(ptx.output()).isEmpty();
        assertThat(ptx.exitCode()).isEqualTo(0);
        assertThat(Files.readString(work.resolve("every.ptx"))).contains(".entry fused_every_kind(");
    }
}
