package org.dnnc.compiler.codegen;

import static javax.lang.model.element.Modifier.PRIVATE;
import static javax.lang.model.element.Modifier.PUBLIC;
import static javax.lang.model.element.Modifier.STATIC;

import com.palantir.javapoet.ClassName;
import com.palantir.javapoet.MethodSpec;
import com.palantir.javapoet.TypeSpec;
import java.io.IOException;
import java.nio.file.Path;

/**
 * {@code predictor()} and {@code predictor(Path)}: a thread-safe {@code Predictor} over instances of
 * the class that share one instance's parameters (the two-argument constructor), one thread each.
 */
final class PredictorMethods {
    private final TypeSpec.Builder type;
    private final ClassName className;

    PredictorMethods(TypeSpec.Builder type, ClassName className) {
        this.type = type;
        this.className = className;
    }

    void add() {
        type.addMethod(MethodSpec.methodBuilder("predictor").addModifiers(PUBLIC).returns(RuntimeNames.PREDICTOR)
                .addJavadoc("A thread-safe predictor with a copy of this network's current parameters: training or\n")
                .addJavadoc("closing this instance afterwards does not change it. Close it to free its memory.\n")
                .addStatement("$T owner = new $T(builder().threads(1), null)", className, className)
                .beginControlFlow("try")
                .addStatement("float[] values = new float[parameterCount()]")
                .addStatement("copyParametersTo(values)")
                .addStatement("owner.copyParametersFrom(values)")
                .nextControlFlow("catch ($T | $T e)", RuntimeException.class, Error.class)
                .addStatement("owner.close()")
                .addStatement("throw e")
                .endControlFlow()
                .addStatement("return sharing(owner)").build());
        type.addMethod(MethodSpec.methodBuilder("predictor").addModifiers(PUBLIC, STATIC).returns(RuntimeNames.PREDICTOR)
                .addJavadoc("A thread-safe predictor with the parameters of {@code checkpoint}, checked as {@link #load}\n")
                .addJavadoc("checks them. Close it to free its memory.\n\n")
                .addJavadoc("@throws IOException if the file cannot be read or does not fit this network\n")
                .addParameter(Path.class, "checkpoint").addException(IOException.class)
                .addStatement("$T owner = new $T(builder().threads(1), null)", className, className)
                .beginControlFlow("try")
                .addStatement("owner.load(checkpoint)")
                .nextControlFlow("catch ($T | $T | $T e)", IOException.class, RuntimeException.class, Error.class)
                .addStatement("owner.close()")
                .addStatement("throw e")
                .endControlFlow()
                .addStatement("return sharing(owner)").build());
        type.addMethod(MethodSpec.methodBuilder("sharing").addModifiers(PRIVATE, STATIC).returns(RuntimeNames.PREDICTOR)
                .addJavadoc("A predictor owning {@code owner}, whose further instances read its parameters: one\n")
                .addJavadoc("thread each, as the predictor's callers are the parallelism.\n")
                .addParameter(className, "owner")
                .addStatement("return $T.sharing(owner, () -> new $T(builder().threads(1), owner))",
                        RuntimeNames.PREDICTOR, className).build());
    }
}
