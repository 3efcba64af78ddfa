package org.dnnc.compiler.codegen;

import com.palantir.javapoet.CodeBlock;
import java.util.HashMap;
import java.util.Map;
import org.dnnc.compiler.ir.Origin;

/**
 * The call that fills a parameter from its initializer, e.g. {@code he_normal} or
 * {@code normal(std: 0.05)}. Fans follow PyTorch: a weight {@code [out, in, k...]} has fan-in
 * {@code in·k...} and fan-out {@code out·k...}.
 */
final class Initializers {
    private Initializers() {}

    static CodeBlock call(String init, String field, int[] shape, CodeBlock seed) throws CodegenException {
        int count = 1;
        for (int d : shape) {
            count *= d;
        }
        int receptive = 1;
        for (int i = 2; i < shape.length; i++) {
            receptive *= shape[i];
        }
        int fanIn = shape.length >= 2 ? shape[1] * receptive : count;
        int fanOut = shape.length >= 2 ? shape[0] * receptive : count;
        String name = init.contains("(") ? init.substring(0, init.indexOf('(')) : init;
        Map<String, Double> args = arguments(init);
        return switch (name) {
            case "zeros" -> CodeBlock.of("$T.zeros($L, $L)", RuntimeNames.INIT, field, count);
            case "ones" -> CodeBlock.of("$T.ones($L, $L)", RuntimeNames.INIT, field, count);
            case "uniform" -> {
                float scale = args.getOrDefault("scale", 0.05).floatValue();
                yield CodeBlock.of("$T.uniform($L, $L, $Lf, $Lf, $L)", RuntimeNames.INIT, field, count, -scale, scale, seed);
            }
            case "normal" -> CodeBlock.of("$T.normal($L, $L, 0f, $Lf, $L)", RuntimeNames.INIT, field, count,
                    args.getOrDefault("std", 0.05).floatValue(), seed);
            case "glorot_uniform", "xavier_uniform" -> CodeBlock.of("$T.glorotUniform($L, $L, $L, $L, $L)",
                    RuntimeNames.INIT, field, count, fanIn, fanOut, seed);
            case "glorot_normal", "xavier_normal" -> CodeBlock.of("$T.glorotNormal($L, $L, $L, $L, $L)",
                    RuntimeNames.INIT, field, count, fanIn, fanOut, seed);
            case "he_uniform" -> CodeBlock.of("$T.heUniform($L, $L, $L, $L)", RuntimeNames.INIT, field, count, fanIn, seed);
            case "he_normal" -> CodeBlock.of("$T.heNormal($L, $L, $L, $L)", RuntimeNames.INIT, field, count, fanIn, seed);
            default -> throw new CodegenException("code generation for the initializer `" + name + "` is not supported yet",
                    Origin.NONE);
        };
    }

    /** {@code normal(std: 0.05)} -> {std=0.05}. */
    private static Map<String, Double> arguments(String init) {
        Map<String, Double> args = new HashMap<>();
        int open = init.indexOf('(');
        if (open < 0) {
            return args;
        }
        for (String part : init.substring(open + 1, init.lastIndexOf(')')).split(",")) {
            String[] kv = part.split(":");
            if (kv.length == 2) {
                args.put(kv[0].strip(), Double.parseDouble(kv[1].strip()));
            }
        }
        return args;
    }
}
