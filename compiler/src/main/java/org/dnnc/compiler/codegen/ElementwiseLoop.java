package org.dnnc.compiler.codegen;

import com.palantir.javapoet.CodeBlock;
import java.util.List;
import org.dnnc.compiler.ir.Activation;
import org.dnnc.compiler.ir.ActivationGrad;
import org.dnnc.compiler.ir.Binary;
import org.dnnc.compiler.ir.FusedElementwise;
import org.dnnc.compiler.ir.Op;
import org.dnnc.compiler.ir.Scale;

/**
 * A fused element-wise chain as one Java loop: each element is read once from every operand, the
 * steps are computed in registers, and the result is written once. The loop lives in its own
 * block, and its names (src, dst, size, i, x, t) are none of the step methods' parameters.
 */
final class ElementwiseLoop {
    private ElementwiseLoop() {}

    static CodeBlock emit(FusedElementwise f, List<String> operands, String result, CodeBlock count) {
        CodeBlock.Builder code = CodeBlock.builder();
        code.add("{\n").indent();
        for (int k = 0; k < operands.size(); k++) {
            code.addStatement("$T src$L = $L.data()", java.nio.FloatBuffer.class, k, operands.get(k));
        }
        code.addStatement("$T dst = $L.data()", java.nio.FloatBuffer.class, result);
        code.beginControlFlow("for (int i = 0, size = $L; i < size; i++)", count);
        for (int k = 0; k < operands.size(); k++) {
            code.addStatement("float x$L = src$L.get(i)", k, k);
        }
        List<FusedElementwise.Step> steps = f.steps();
        for (int s = 0; s < steps.size(); s++) {
            List<String> args = steps.get(s).args().stream().map(r -> (r.step() ? "t" : "x") + r.index()).toList();
            code.addStatement("float t$L = $L", s, expression(steps.get(s).op(), args));
        }
        code.addStatement("dst.put(i, t$L)", steps.size() - 1);
        code.endControlFlow();
        code.unindent().add("}\n");
        return code.build();
    }

    /**
     * One step as a float expression of its arguments. {@code Math} is a type name, not text: the
     * generated class may itself be called {@code Math}.
     */
    static CodeBlock expression(Op op, List<String> a) {
        if (op instanceof Binary b) {
            String symbol = switch (b.kind()) {
                case ADD -> " + ";
                case SUB -> " - ";
                case MUL -> " * ";
            };
            return CodeBlock.of("$L$L$L", a.get(0), symbol, a.get(1));
        }
        if (op instanceof Scale s) {
            return CodeBlock.of("$L * $L", literal(s.factor()), a.get(0));
        }
        if (op instanceof Activation act) {
            String x = a.get(0);
            String alpha = literal(act.alpha());
            return switch (act.kind()) {
                case RELU -> CodeBlock.of("$T.max($L, 0f)", Math.class, x);
                case LEAKY_RELU -> CodeBlock.of("$L > 0f ? $L : $L * $L", x, x, alpha, x);
                case ELU -> CodeBlock.of("$L > 0f ? $L : $L * (float) $T.expm1($L)", x, x, alpha, Math.class, x);
                case SIGMOID -> CodeBlock.of("1f / (1f + (float) $T.exp(-$L))", Math.class, x);
                case TANH -> CodeBlock.of("(float) $T.tanh($L)", Math.class, x);
                case IDENTITY -> CodeBlock.of("$L", x);
            };
        }
        if (op instanceof ActivationGrad g) {
            String dy = a.get(0);
            String y = a.get(1);
            String alpha = literal(g.alpha());
            return CodeBlock.of("$L", switch (g.kind()) {
                case RELU -> y + " > 0f ? " + dy + " : 0f";
                case LEAKY_RELU -> y + " > 0f ? " + dy + " : " + alpha + " * " + dy;
                case ELU -> y + " > 0f ? " + dy + " : " + dy + " * (" + y + " + " + alpha + ")";
                case SIGMOID -> dy + " * " + y + " * (1f - " + y + ")";
                case TANH -> dy + " * (1f - " + y + " * " + y + ")";
                case IDENTITY -> dy;
            });
        }
        throw new IllegalArgumentException(op.mnemonic() + " is not element-wise");
    }

    private static String literal(double v) {
        return Float.toString((float) v) + "f";
    }
}
