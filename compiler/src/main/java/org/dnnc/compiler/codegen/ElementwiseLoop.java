package org.dnnc.compiler.codegen;

import com.palantir.javapoet.CodeBlock;
import java.util.List;
import org.dnnc.compiler.ir.FusedElementwise;
import org.dnnc.compiler.ir.TensorType;

/**
 * A fused element-wise chain as one call of the runtime's {@code ElementwiseChain}, with the chain's
 * arithmetic as a lambda over staged chunks: each element is read once from every operand, the
 * steps are computed in registers, and the result is written once. The runtime moves the chunks
 * between the views and heap arrays (where HotSpot compiles the loop to plain loads and stores) and
 * splits large calls over two threads. The lambda captures nothing, so the call allocates nothing,
 * and its names (ins, outs, from, length, j, in, x, t) are none of the step methods' locals. Each
 * step's arithmetic comes from {@link StepFormulas}, which the CUDA kernels print too. A
 * per-channel operand is staged whole and read at the element's channel, {@code (i / spatial) %
 * channels}, as the CUDA kernel reads it.
 */
final class ElementwiseLoop {
    private ElementwiseLoop() {}

    static CodeBlock emit(FusedElementwise f, List<String> operands, String result, TensorType type) {
        CodeBlock.Builder body = CodeBlock.builder();
        for (int k = 0; k < operands.size(); k++) {
            body.addStatement("float[] in$L = ins[$L]", k, k);
        }
        body.beginControlFlow("for (int j = 0; j < length; j++)");
        int perChannel = 0;
        for (int k = 0; k < operands.size(); k++) {
            if (f.perChannel(k)) {
                perChannel |= 1 << k;
                body.addStatement("float x$L = in$L[((from + j) / $L) % $L]", k, k, Sizes.spatial(type),
                        type.dim(1).bound());
            } else {
                body.addStatement("float x$L = in$L[j]", k, k);
            }
        }
        List<FusedElementwise.Step> steps = f.steps();
        for (int s = 0; s < steps.size(); s++) {
            body.addStatement("float t$L = $L", s, StepFormulas.of(steps.get(s)).java());
        }
        body.addStatement("outs[j] = t$L", steps.size() - 1);
        body.endControlFlow();
        CodeBlock.Builder code = CodeBlock.builder();
        code.add("$T.run((ins, outs, from, length) -> {\n", RuntimeNames.ELEMENTWISE_CHAIN).indent();
        code.add(body.build());
        code.unindent();
        code.add("}, $L, $L, $L, $L", perChannel == 0 ? "0" : "0b" + Integer.toBinaryString(perChannel),
                perChannel == 0 ? 0 : type.dim(1).bound(), result, Sizes.count(type));
        for (String operand : operands) {
            code.add(", $L", operand);
        }
        code.add(");\n");
        return code.build();
    }
}
