package org.dnnc.compiler.codegen;

import com.palantir.javapoet.CodeBlock;
import java.util.List;
import org.dnnc.compiler.ir.FusedElementwise;
import org.dnnc.compiler.ir.TensorType;

/**
 * A fused element-wise chain as one Java loop: each element is read once from every operand, the
 * steps are computed in registers, and the result is written once. The loop lives in its own
 * block, and its names (src, dst, size, i, x, t) are none of the step methods' parameters. Each
 * step's arithmetic comes from {@link StepFormulas}, which the CUDA kernels print too. A
 * per-channel operand is read at the element's channel, {@code (i / spatial) % channels}, as the
 * CUDA kernel reads it.
 */
final class ElementwiseLoop {
    private ElementwiseLoop() {}

    static CodeBlock emit(FusedElementwise f, List<String> operands, String result, TensorType type) {
        CodeBlock.Builder code = CodeBlock.builder();
        code.add("{\n").indent();
        for (int k = 0; k < operands.size(); k++) {
            code.addStatement("$T src$L = $L.data()", java.nio.FloatBuffer.class, k, operands.get(k));
        }
        code.addStatement("$T dst = $L.data()", java.nio.FloatBuffer.class, result);
        code.beginControlFlow("for (int i = 0, size = $L; i < size; i++)", Sizes.count(type));
        for (int k = 0; k < operands.size(); k++) {
            if (f.perChannel(k)) {
                code.addStatement("float x$L = src$L.get((i / $L) % $L)", k, k, Sizes.spatial(type), type.dim(1).bound());
            } else {
                code.addStatement("float x$L = src$L.get(i)", k, k);
            }
        }
        List<FusedElementwise.Step> steps = f.steps();
        for (int s = 0; s < steps.size(); s++) {
            code.addStatement("float t$L = $L", s, StepFormulas.of(steps.get(s)).java());
        }
        code.addStatement("dst.put(i, t$L)", steps.size() - 1);
        code.endControlFlow();
        code.unindent().add("}\n");
        return code.build();
    }
}
