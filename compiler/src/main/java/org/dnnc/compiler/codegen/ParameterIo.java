package org.dnnc.compiler.codegen;

import static javax.lang.model.element.Modifier.PUBLIC;

import com.palantir.javapoet.ClassName;
import com.palantir.javapoet.CodeBlock;
import com.palantir.javapoet.MethodSpec;
import com.palantir.javapoet.ParameterizedTypeName;
import com.palantir.javapoet.TypeName;
import com.palantir.javapoet.TypeSpec;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.dnnc.compiler.ir.Node;
import org.dnnc.compiler.ir.Param;

/**
 * The methods of a generated class that move its parameters in and out: copies to and from a flat
 * {@code float[]} ({@code parameterCount}, {@code copyParametersTo}, {@code copyParametersFrom})
 * and safetensors checkpoints ({@code save}, {@code load}), each split into helpers when a deep
 * network's statements would not fit one method.
 */
final class ParameterIo {
    private final TypeSpec.Builder type;
    private final List<Node> params;
    private final Map<String, String> paramFields;

    /**
     * @param type the class to add the methods to
     * @param params every parameter, in arena order
     * @param paramFields parameter name to the field (or array element) of its view
     */
    ParameterIo(TypeSpec.Builder type, List<Node> params, Map<String, String> paramFields) {
        this.type = type;
        this.params = params;
        this.paramFields = paramFields;
    }

    void add() {
        addParameterCopies();
        addCheckpoints();
    }

    private void addParameterCopies() {
        int total = params.stream().mapToInt(p -> Sizes.maxCount(p.type(), 1)).sum();
        type.addMethod(JavaGenerator.override("parameterCount", int.class).addStatement("return $L", total).build());
        MethodSpec.Builder to = JavaGenerator.override("copyParametersTo", void.class).addParameter(float[].class, "dst");
        MethodSpec.Builder from = JavaGenerator.override("copyParametersFrom", void.class).addParameter(float[].class, "src");
        JavaGenerator.enter(to);
        JavaGenerator.enter(from);
        int offset = 0;
        List<CodeBlock> gets = new ArrayList<>();
        List<CodeBlock> puts = new ArrayList<>();
        for (Node p : params) {
            int count = Sizes.maxCount(p.type(), 1);
            String f = paramFields.get(((Param) p.op()).name());
            gets.add(CodeBlock.builder().addStatement("$L.data().get(0, dst, $L, $L)", f, offset, count).build());
            puts.add(CodeBlock.builder().addStatement("$L.data().put(0, src, $L, $L)", f, offset, count).build());
            offset += count;
        }
        TypeName floats = TypeName.get(float[].class);
        to.addCode(new MethodParts("copyParametersTo").parameter(floats, "dst").inline(type, gets));
        from.addCode(new MethodParts("copyParametersFrom").parameter(floats, "src").inline(type, puts));
        JavaGenerator.leave(to);
        JavaGenerator.leave(from);
        type.addMethod(to.build());
        type.addMethod(from.build());
    }

    private void addCheckpoints() {
        MethodSpec.Builder save = MethodSpec.methodBuilder("save").addModifiers(PUBLIC)
                .addJavadoc("Writes every parameter and buffer to a safetensors file, atomically: the file keeps its old\n")
                .addJavadoc("content until the new one is complete on disk. Unless {@code force} is set, a NaN or\n")
                .addJavadoc("infinite value, what a training run that diverged leaves, is refused with a\n")
                .addJavadoc("{@code CheckpointException} naming the tensor and index before the file is touched, so\n")
                .addJavadoc("that the last good checkpoint survives; {@link #load} would refuse such a file anyway.\n")
                .addParameter(Path.class, "file").addParameter(boolean.class, "force").addException(IOException.class);
        JavaGenerator.enter(save);
        save.addStatement("var tensors = new $T<$T, $T>()", LinkedHashMap.class, String.class, RuntimeNames.TENSOR_DATA);
        MethodSpec saveFinite = MethodSpec.methodBuilder("save").addModifiers(PUBLIC)
                .addJavadoc("Writes every parameter and buffer to a safetensors file, atomically, refusing NaN and\n")
                .addJavadoc("infinite values: {@link #save(Path, boolean) save(file, false)}.\n")
                .addParameter(Path.class, "file").addException(IOException.class)
                .addStatement("save(file, false)").build();
        MethodSpec.Builder load = MethodSpec.methodBuilder("load").addModifiers(PUBLIC)
                .addJavadoc("Reads parameters saved by {@link #save}, all or nothing: the file is checked (names, types,\n")
                .addJavadoc("shapes, finite values, the step count) before anything is changed.\n")
                .addParameter(Path.class, "file").addException(IOException.class);
        JavaGenerator.enter(load);
        List<CodeBlock> puts = new ArrayList<>();
        List<CodeBlock> expected = new ArrayList<>();
        List<CodeBlock> copies = new ArrayList<>();
        for (Node p : params) {
            String name = ((Param) p.op()).name();
            String shape = Arrays.stream(Sizes.perExample(p.type())).mapToObj(Integer::toString).collect(Collectors.joining(", "));
            puts.add(CodeBlock.builder().addStatement("tensors.put($S, $T.f32($L.toArray(), $L))", name,
                    RuntimeNames.TENSOR_DATA, paramFields.get(name), shape).build());
            expected.add(CodeBlock.of("$S, $T.F32, $L", name, RuntimeNames.IO_DTYPE, shape));
            copies.add(CodeBlock.builder().addStatement("$L.copyFrom(checkpoint.floats($S, $L))", paramFields.get(name),
                    name, shape).build());
        }
        save.addCode(new MethodParts("save").parameter(ParameterizedTypeName.get(ClassName.get(Map.class),
                ClassName.get(String.class), RuntimeNames.TENSOR_DATA), "tensors").inline(type, puts));
        save.beginControlFlow("if (!force)")
                .addStatement("$T.requireFinite(file, tensors)", RuntimeNames.SAFETENSORS)
                .endControlFlow();
        save.addStatement("$T.write(file, tensors, $T.of($S, NAME, $S, SOURCE_SHA256, $S, $T.toString(steps)))",
                RuntimeNames.SAFETENSORS, Map.class, "network", "source_sha256", "steps", Long.class);
        load.addCode(checkpointSpec(expected));
        load.addStatement("$T checkpoint = $T.read(file, spec)", RuntimeNames.CHECKPOINT, RuntimeNames.SAFETENSORS);
        load.addStatement("long savedSteps = checkpoint.metadataCount($S)", "steps");
        load.addComment("The spec has checked every tensor and the step count is checked: from here nothing fails.");
        load.addCode(new MethodParts("load").parameter(RuntimeNames.CHECKPOINT, "checkpoint")
                .throwing(TypeName.get(IOException.class)).inline(type, copies));
        load.addStatement("steps = savedSteps");
        JavaGenerator.leave(save);
        JavaGenerator.leave(load);
        type.addMethod(saveFinite);
        type.addMethod(save.build());
        type.addMethod(load.build());
    }

    /**
     * {@code spec}, the checkpoint's expected tensors: one chained expression, or, for more tensors
     * than one method holds, a builder that helpers fill (javac also recurses once per link of a
     * chain, so a chain as long as a deep network's parameters would overflow its stack).
     *
     * @param tensors the arguments of each {@code tensor(name, dtype, shape...)} call
     */
    private CodeBlock checkpointSpec(List<CodeBlock> tensors) {
        List<CodeBlock> links = tensors.stream().map(t -> CodeBlock.of("\n.tensor($L)", t)).toList();
        if (MethodParts.fit(links)) {
            return CodeBlock.builder().add("$T spec = $T.builder()", RuntimeNames.CHECKPOINT_SPEC, RuntimeNames.CHECKPOINT_SPEC)
                    .indent().add(CodeBlock.join(links, "")).add("\n.requireFinite()\n.build();\n").unindent().build();
        }
        ClassName builder = RuntimeNames.CHECKPOINT_SPEC.nestedClass("Builder");
        List<CodeBlock> statements = tensors.stream()
                .map(t -> CodeBlock.builder().addStatement("specBuilder.tensor($L)", t).build()).toList();
        return CodeBlock.builder()
                .addStatement("$T specBuilder = $T.builder()", builder, RuntimeNames.CHECKPOINT_SPEC)
                .add(new MethodParts("spec").parameter(builder, "specBuilder").asStatic().inline(type, statements))
                .addStatement("$T spec = specBuilder.requireFinite().build()", RuntimeNames.CHECKPOINT_SPEC)
                .build();
    }
}
