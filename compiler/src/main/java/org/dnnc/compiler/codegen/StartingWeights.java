package org.dnnc.compiler.codegen;

import com.palantir.javapoet.ClassName;
import com.palantir.javapoet.CodeBlock;
import com.palantir.javapoet.MethodSpec;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;
import javax.lang.model.element.Modifier;
import org.dnnc.compiler.ir.Node;
import org.dnnc.compiler.ir.Param;
import org.dnnc.compiler.sema.Option;
import org.dnnc.compiler.sema.TrainConfig;

/**
 * The train section's {@code load_weights}: the builder reads the checkpoint into a new network, so
 * that training starts from its parameters instead of the initial values. The file is checked
 * whole (names, shapes, finite values) before any parameter changes; with {@code strict: false}
 * parameters it lacks keep their initial values. Tensors the network does not have are ignored (a
 * pretrained body may come from a larger network), and the step count stays 0: training starts.
 */
final class StartingWeights {
    static final String METHOD = "loadStartingWeights";

    private StartingWeights() {}

    static Optional<Option> of(TrainConfig config) {
        return config.directives().stream().filter(d -> d.name().equals("load_weights")).findFirst();
    }

    /** {@code loadStartingWeights()}, run on the new network by {@code Builder.build()}. */
    static MethodSpec method(Option directive, List<Node> params, Map<String, String> paramFields) {
        String path = directive.args().string("path");
        boolean strict = directive.args().bool("strict");
        MethodSpec.Builder m = MethodSpec.methodBuilder(METHOD).addModifiers(Modifier.PRIVATE)
                .addException(IOException.class)
                .addJavadoc("The train section's {@code load_weights}: parameters from {@code $L} replace their initial\n",
                        path.replace("*/", "*&#47;"))
                .addJavadoc(strict ? "values; each must be in the file.\n" : "values; those the file lacks keep them.\n");
        JavaGenerator.enter(m);
        CodeBlock.Builder spec = CodeBlock.builder().add("$T spec = $T.builder()", RuntimeNames.CHECKPOINT_SPEC,
                RuntimeNames.CHECKPOINT_SPEC).indent();
        for (Node p : strict ? params : List.<Node>of()) {
            spec.add("\n.tensor($S, $T.F32, $L)", name(p), RuntimeNames.IO_DTYPE, shape(p));
        }
        m.addCode(spec.add("\n.allowUnexpected()\n.requireFinite()\n.build();\n").unindent().build());
        m.addStatement("$T checkpoint = $T.read($T.of($S), spec)", RuntimeNames.CHECKPOINT, RuntimeNames.SAFETENSORS,
                Path.class, path);
        m.addComment("Every tensor is read and checked before the first parameter changes.");
        for (int i = 0; i < params.size(); i++) {
            Node p = params.get(i);
            if (strict) {
                m.addStatement("float[] v$L = checkpoint.floats($S, $L)", i, name(p), shape(p));
            } else {
                m.addStatement("float[] v$L = checkpoint.tensors().containsKey($S) ? checkpoint.floats($S, $L) : null",
                        i, name(p), name(p), shape(p));
            }
        }
        for (int i = 0; i < params.size(); i++) {
            String field = paramFields.get(name(params.get(i)));
            if (strict) {
                m.addStatement("$L.copyFrom(v$L)", field, i);
            } else {
                m.beginControlFlow("if (v$L != null)", i).addStatement("$L.copyFrom(v$L)", field, i).endControlFlow();
            }
        }
        JavaGenerator.leave(m);
        return m.build();
    }

    /** The body of {@code Builder.build()}: a new network that a bad file closes again. */
    static CodeBlock build(ClassName network) {
        return CodeBlock.builder()
                .addStatement("$T network = new $T(this)", network, network)
                .beginControlFlow("try")
                .addStatement("network.$L()", METHOD)
                .addStatement("return network")
                .nextControlFlow("catch ($T e)", IOException.class)
                .addStatement("network.close()")
                .addStatement("throw new $T($S + e.getMessage(), e)", UncheckedIOException.class,
                        "cannot read the weights that load_weights names: ")
                .nextControlFlow("catch ($T e)", RuntimeException.class)
                .addStatement("network.close()")
                .addStatement("throw e")
                .endControlFlow()
                .build();
    }

    private static String name(Node p) {
        return ((Param) p.op()).name();
    }

    private static String shape(Node p) {
        return Arrays.stream(Sizes.perExample(p.type())).mapToObj(Integer::toString).collect(Collectors.joining(", "));
    }
}
