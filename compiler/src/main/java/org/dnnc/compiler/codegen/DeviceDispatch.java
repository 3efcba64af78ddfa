package org.dnnc.compiler.codegen;

import com.palantir.javapoet.ClassName;
import com.palantir.javapoet.CodeBlock;
import com.palantir.javapoet.MethodSpec;
import com.palantir.javapoet.TypeSpec;
import java.util.stream.Collectors;
import javax.lang.model.element.Modifier;

/**
 * Sends the public calls of a class compiled with the CUDA target to its {@code OnCuda} half when
 * the instance was built for CUDA (its field {@code cuda} is set): the steps and predictions run on
 * the device, and the calls that read or write the host's parameters (copies, save, load) first
 * bring the host's copy up to date or mark the device's stale. Every method keeps its CPU body
 * after the dispatch, so a CPU instance runs exactly the code a CPU-only class has.
 */
final class DeviceDispatch {
    private DeviceDispatch() {}

    /** {@code type} with the dispatch at the start of the methods that need one (and at the end of close). */
    static TypeSpec apply(TypeSpec type) {
        TypeSpec.Builder b = TypeSpec.classBuilder(type.name()).addModifiers(type.modifiers().toArray(Modifier[]::new))
                .addJavadoc(type.javadoc()).addAnnotations(type.annotations()).addSuperinterfaces(type.superinterfaces())
                .addFields(type.fieldSpecs()).addTypes(type.typeSpecs());
        if (!type.superclass().equals(ClassName.OBJECT)) {
            b.superclass(type.superclass());
        }
        if (!type.staticBlock().isEmpty()) {
            b.addStaticBlock(type.staticBlock());
        }
        if (!type.initializerBlock().isEmpty()) {
            b.addInitializerBlock(type.initializerBlock());
        }
        for (MethodSpec m : type.methodSpecs()) {
            b.addMethod(rewrite(m));
        }
        return b.build();
    }

    private static MethodSpec rewrite(MethodSpec m) {
        String parameters = m.parameters().stream().map(p -> p.type().toString()).collect(Collectors.joining(","));
        String signature = m.name() + "(" + parameters + ")";
        CodeBlock before = switch (signature) {
            case "trainStep(org.dnnc.runtime.Inputs,int,double)" ->
                    returning("cuda.trainStep(batch, count, learningRate)");
            case "evaluateStep(org.dnnc.runtime.Inputs,int)" -> returning("cuda.evaluateStep(batch, count)");
            case "predict(org.dnnc.runtime.Inputs)" -> returning("cuda.predict(inputs)");
            case "predict(float[],int,float[])" -> CodeBlock.builder().beginControlFlow("if (cuda != null)")
                    .addStatement("cuda.predict(x, count, out)").addStatement("return").endControlFlow().build();
            case "copyParametersTo(float[])", "save(java.nio.file.Path,org.dnnc.runtime.io.SaveOptions)" ->
                    CodeBlock.builder().beginControlFlow("if (cuda != null)").addStatement("cuda.syncHost()")
                            .endControlFlow().build();
            case "copyParametersFrom(float[])", "load(java.nio.file.Path,org.dnnc.runtime.io.LoadOptions)" ->
                    CodeBlock.builder().beginControlFlow("if (cuda != null)").addStatement("cuda.hostChanging()")
                            .endControlFlow().build();
            default -> null;
        };
        boolean close = signature.equals("close()");
        if (before == null && !close) {
            return m;
        }
        MethodSpec.Builder b = MethodSpec.methodBuilder(m.name()).addModifiers(m.modifiers())
                .addAnnotations(m.annotations()).addJavadoc(m.javadoc()).returns(m.returnType())
                .addParameters(m.parameters()).addExceptions(m.exceptions()).varargs(m.varargs());
        if (before != null) {
            b.addCode(before);
        }
        b.addCode(m.code());
        if (close) {
            b.addComment("The device half last: its context waits for the device's queued work, then frees it.");
            b.beginControlFlow("if (cuda != null)").addStatement("cuda.close()").endControlFlow();
        }
        return b.build();
    }

    private static CodeBlock returning(String call) {
        return CodeBlock.builder().beginControlFlow("if (cuda != null)").addStatement("return $L", call)
                .endControlFlow().build();
    }
}
