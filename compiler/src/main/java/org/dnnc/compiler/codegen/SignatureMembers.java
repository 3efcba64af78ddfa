package org.dnnc.compiler.codegen;

import static javax.lang.model.element.Modifier.FINAL;
import static javax.lang.model.element.Modifier.PRIVATE;
import static javax.lang.model.element.Modifier.PUBLIC;
import static javax.lang.model.element.Modifier.STATIC;
import static org.dnnc.compiler.codegen.JavaGenerator.override;

import com.palantir.javapoet.ClassName;
import com.palantir.javapoet.CodeBlock;
import com.palantir.javapoet.FieldSpec;
import com.palantir.javapoet.ParameterizedTypeName;
import com.palantir.javapoet.TypeName;
import com.palantir.javapoet.TypeSpec;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;
import javax.lang.model.element.Modifier;

/**
 * What a generated class derives from its {@link Signature}: the constants that name its tensors
 * and the accessors of {@code Network} (and {@code TrainableNetwork}) that answer from them.
 */
final class SignatureMembers {
    private SignatureMembers() {}

    /** INPUTS, OUTPUTS and, when training, TARGETS and STEP_INPUTS: the class's named tensors. */
    static void addConstants(TypeSpec.Builder type, Signature signature, boolean trains) {
        specsConstant(type, "INPUTS", PUBLIC, signature.inputs(), "The inputs predict reads, in declaration order.");
        if (trains) {
            specsConstant(type, "TARGETS", PUBLIC, signature.targets(),
                    "The inputs only training reads (what the loss compares with), in declaration order.");
            specsConstant(type, "STEP_INPUTS", PRIVATE, signature.stepInputs(), "What a step reads: the inputs, then the targets.");
        }
        specsConstant(type, "OUTPUTS", PUBLIC, signature.outputs(), "The declared outputs, in declaration order.");
    }

    private static void specsConstant(TypeSpec.Builder type, String name, Modifier visibility,
            List<Signature.Tensor> tensors, String doc) {
        List<CodeBlock> specs = tensors.stream().map(t -> CodeBlock.of("$T.$L($S$L)", RuntimeNames.TENSOR_SPEC,
                t.ints() ? "ints" : "floats", t.name(), Arrays.stream(t.shape()).mapToObj(d -> ", " + d)
                        .collect(Collectors.joining()))).toList();
        type.addField(FieldSpec.builder(ParameterizedTypeName.get(ClassName.get(List.class),
                        RuntimeNames.TENSOR_SPEC), name, visibility, STATIC, FINAL)
                .initializer("$T.of($L)", List.class, CodeBlock.join(specs, ", "))
                .addJavadoc(doc + "\n").build());
    }

    /**
     * The accessors of {@code Network} and, when training, {@code TrainableNetwork} that answer from the
     * constants above, the signature and the step and epoch counters.
     */
    static void addAccessors(TypeSpec.Builder type, Signature signature, boolean trains) {
        ClassName specList = ClassName.get(List.class);
        TypeName specs = ParameterizedTypeName.get(specList,
                RuntimeNames.TENSOR_SPEC);
        type.addMethod(override("name", String.class).addStatement("return NAME").build());
        type.addMethod(override("maxBatch", int.class).addStatement("return batch").build());
        type.addMethod(override("inputs", specs).addStatement("return INPUTS").build());
        type.addMethod(override("outputs", specs).addStatement("return OUTPUTS").build());
        if (trains) {
            type.addMethod(override("targets", specs).addStatement("return TARGETS").build());
            type.addMethod(override("targetKind", RuntimeNames.TARGET_KIND).addStatement("return $T.$L",
                    RuntimeNames.TARGET_KIND, signature.kind()).build());
            type.addMethod(override("hasAccuracy", boolean.class).addStatement("return $L", signature.accuracy()).build());
            type.addMethod(override("classes", int.class).addStatement("return $L", signature.classes()).build());
            if (signature.labelsPerExample() > 1) {
                type.addMethod(override("labelsPerExample", int.class)
                        .addStatement("return $L", signature.labelsPerExample()).build());
            }
            type.addMethod(override("updateOnNonFiniteLoss", void.class).addParameter(boolean.class, "update")
                    .addStatement("updateOnNonFinite = update").build());
            type.addMethod(override("steps", long.class).addStatement("return steps").build());
            type.addMethod(override("epochs", long.class).addStatement("return epochs").build());
            type.addMethod(override("epochCompleted", void.class).addStatement("epochs++").build());
        }
    }
}
