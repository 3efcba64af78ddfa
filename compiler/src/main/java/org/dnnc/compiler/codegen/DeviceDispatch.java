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

    /**
     * Adds to {@code type} the calls only a class with a CUDA half overrides: {@code startTrainStep}
     * (queued on the device, run to the end on the CPU), {@code runsStepsAhead} and {@code
     * onNonFinite} (which the device's gate also needs).
     */
    static void addDeviceMethods(TypeSpec.Builder type) {
        type.addMethod(MethodSpec.methodBuilder("startTrainStep").addAnnotation(Override.class).addModifiers(Modifier.PUBLIC)
                .returns(RuntimeNames.PENDING_STEP).addParameter(RuntimeNames.INPUTS, "batch")
                .addParameter(int.class, "count").addParameter(double.class, "learningRate")
                .addJavadoc("Starts a training step: on a CUDA device it is queued and computes while the caller prepares the\n")
                .addJavadoc("next batch; on the CPU it runs to the end here.\n")
                .beginControlFlow("if (cuda != null)").addStatement("return cuda.startTrainStep(batch, count, learningRate)")
                .endControlFlow()
                .addStatement("return trainStep(batch, count, learningRate)").build());
        type.addMethod(MethodSpec.methodBuilder("runsStepsAhead").addAnnotation(Override.class).addModifiers(Modifier.PUBLIC)
                .returns(boolean.class)
                .addJavadoc("True on a CUDA device, whose steps compute while the caller starts the next one.\n")
                .addStatement("return cuda != null").build());
        type.addMethod(MethodSpec.methodBuilder("onNonFinite").addAnnotation(Override.class).addModifiers(Modifier.PUBLIC)
                .addParameter(RuntimeNames.NON_FINITE, "policy")
                .addJavadoc("What the caller does with a step whose loss or gradient is NaN or infinite; on a CUDA device,\n")
                .addJavadoc("{@code STOP} also keeps the steps queued behind such a step from updating.\n")
                .addStatement("updateOnNonFiniteLoss(policy == $T.IGNORE)", RuntimeNames.NON_FINITE)
                .beginControlFlow("if (cuda != null)").addStatement("cuda.onNonFinite(policy)").endControlFlow().build());
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
