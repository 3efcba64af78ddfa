package org.dnnc.compiler.codegen;

import com.palantir.javapoet.CodeBlock;
import org.dnnc.compiler.sema.TrainConfig;

/**
 * The train section's gradient clipping, emitted between the backward pass and the update. With
 * both settings the norm is clipped first, so that it is measured on the gradients as backward
 * left them (what {@code clip_grad_norm_} reports), then every element is clamped; either order
 * leaves both limits met.
 *
 * @param maxNorm {@code clip_norm}, or {@code null} when off
 * @param maxValue {@code clip_value}, or {@code null} when off
 */
record Clipping(Double maxNorm, Double maxValue) {

    static Clipping of(TrainConfig config) {
        return new Clipping(real(config, "clip_norm"), real(config, "clip_value"));
    }

    private static Double real(TrainConfig config, String setting) {
        return config.settings().get(setting) instanceof Number n ? n.doubleValue() : null;
    }

    /** Whether the step clips at all, and so needs the array of its gradient views. */
    boolean any() {
        return maxNorm != null || maxValue != null;
    }

    /** The calls on the gradient views {@code gradients} of {@code sizes} elements each. */
    CodeBlock calls(String gradients, String sizes) {
        CodeBlock.Builder code = CodeBlock.builder();
        if (maxNorm != null) {
            code.add("// clip_norm: one factor for all gradients when their global L2 norm exceeds $L\n", maxNorm);
            code.addStatement("$T.clipNorm($L, $L, $Lf)", RuntimeNames.GRADIENT_CLIPPING, gradients, sizes,
                    maxNorm.floatValue());
        }
        if (maxValue != null) {
            code.add("// clip_value: every gradient element clamped to [-$L, $L]\n", maxValue, maxValue);
            code.addStatement("$T.clipValue($L, $L, $Lf)", RuntimeNames.GRADIENT_CLIPPING, gradients, sizes,
                    maxValue.floatValue());
        }
        return code.build();
    }
}
