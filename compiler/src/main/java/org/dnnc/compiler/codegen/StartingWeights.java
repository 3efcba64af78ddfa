package org.dnnc.compiler.codegen;

import com.palantir.javapoet.ClassName;
import com.palantir.javapoet.CodeBlock;
import com.palantir.javapoet.MethodSpec;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.Optional;
import javax.lang.model.element.Modifier;
import org.dnnc.compiler.sema.Option;
import org.dnnc.compiler.sema.TrainConfig;
import org.dnnc.compiler.sema.WeightRenames;

/**
 * The train section's {@code load_weights}: the builder loads the checkpoint into a new network
 * with the class's {@code load(Path, LoadOptions)}, so that training starts from its parameters
 * instead of the initial values. The directive's {@code strict} and {@code map} become the
 * options; the file is checked whole before any parameter changes, the step count stays 0, and
 * what a load that is not strict left out is printed on standard error.
 */
final class StartingWeights {
    static final String METHOD = "loadStartingWeights";
    /** Starts what a load that is not strict prints. */
    private static final String NAME_PREFIX = "load_weights: ";

    private StartingWeights() {}

    static Optional<Option> of(TrainConfig config) {
        return config.directives().stream().filter(d -> d.name().equals("load_weights")).findFirst();
    }

    /** {@code loadStartingWeights()}, run on the new network by {@code Builder.build()}. */
    static MethodSpec method(Option directive) {
        String path = directive.args().string("path");
        boolean strict = directive.args().bool("strict");
        MethodSpec.Builder m = MethodSpec.methodBuilder(METHOD).addModifiers(Modifier.PRIVATE)
                .addException(IOException.class)
                .addJavadoc("The train section's {@code load_weights}: parameters from {@code $L} replace their initial\n",
                        path.replace("*/", "*&#47;"))
                .addJavadoc(strict ? "values; each must be in the file, and the file must hold nothing else.\n"
                        : "values; those the file lacks keep them, and what was left out is printed.\n");
        CodeBlock.Builder options = CodeBlock.builder().add("$T options = $T.builder()", RuntimeNames.LOAD_OPTIONS,
                RuntimeNames.LOAD_OPTIONS).indent().add("\n.strict($L)", strict);
        if (directive.args().has("map")) {
            for (WeightRenames rule : WeightRenames.parse(directive.args().string("map"))) {
                options.add("\n.rename($S, $S)", rule.from(), rule.to());
            }
        }
        m.addCode(options.add("\n.build();\n").unindent().build());
        m.addStatement("$T report = load($T.of($S), options)", RuntimeNames.LOAD_REPORT, Path.class, path);
        if (!strict) {
            m.beginControlFlow("if (!report.complete())")
                    .addStatement("$T.err.println($S + report)", System.class, NAME_PREFIX)
                    .endControlFlow();
        }
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
                .addStatement("throw new $T($S + $T.describe(e), e)", UncheckedIOException.class,
                        "cannot read the weights that load_weights names: ", RuntimeNames.CHECKPOINT_EXCEPTION)
                .nextControlFlow("catch ($T e)", RuntimeException.class)
                .addStatement("network.close()")
                .addStatement("throw e")
                .endControlFlow()
                .build();
    }
}
