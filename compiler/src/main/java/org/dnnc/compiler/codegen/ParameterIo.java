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
import java.util.Optional;
import java.util.stream.Collectors;
import org.dnnc.compiler.ir.Node;
import org.dnnc.compiler.ir.Param;

/**
 * The methods of a generated class that move its parameters in and out: copies to and from a flat
 * {@code float[]} ({@code parameterCount}, {@code copyParametersTo}, {@code copyParametersFrom})
 * and safetensors checkpoints ({@code save}, {@code load}), with the training state of a class
 * that trains, each split into helpers when a deep network's statements would not fit one method.
 */
final class ParameterIo {
    private static final TypeName TENSOR_MAP = ParameterizedTypeName.get(ClassName.get(Map.class),
            ClassName.get(String.class), RuntimeNames.TENSOR_DATA);

    /**
     * What a class that trains keeps besides its parameters.
     *
     * @param optimizer the optimizer's name, which the checkpoint records
     * @param slots each state's name in checkpoints ({@code m}, {@code v}, {@code velocity}, ...)
     * @param fields parameter name to its state's fields, in the order of {@code slots}; only
     *     parameters that the optimizer updates
     */
    record TrainingState(String optimizer, List<String> slots, Map<String, List<String>> fields) {}

    private final TypeSpec.Builder type;
    private final List<Node> params;
    private final Map<String, String> paramFields;
    /** Empty for a class without a train section. */
    private final Optional<TrainingState> state;

    /**
     * @param type the class to add the methods to
     * @param params every parameter, in arena order
     * @param paramFields parameter name to the field (or array element) of its view
     * @param state the optimizer state of a class that trains
     */
    ParameterIo(TypeSpec.Builder type, List<Node> params, Map<String, String> paramFields, Optional<TrainingState> state) {
        this.type = type;
        this.params = params;
        this.paramFields = paramFields;
        this.state = state;
    }

    void add() {
        addParameterCopies();
        addSave();
        addLoad();
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

    private void addSave() {
        type.addMethod(MethodSpec.methodBuilder("save").addModifiers(PUBLIC)
                .addJavadoc("Writes every parameter and buffer to a safetensors file, atomically, refusing NaN and\n")
                .addJavadoc("infinite values: {@code save(file, SaveOptions.defaults())}.\n")
                .addParameter(Path.class, "file").addException(IOException.class)
                .addStatement("save(file, $T.defaults())", RuntimeNames.SAVE_OPTIONS).build());
        type.addMethod(MethodSpec.methodBuilder("save").addModifiers(PUBLIC)
                .addJavadoc("Writes every parameter and buffer to a safetensors file, atomically; with {@code force}, NaN\n")
                .addJavadoc("and infinite values too (for a post-mortem).\n")
                .addParameter(Path.class, "file").addParameter(boolean.class, "force").addException(IOException.class)
                .addStatement("save(file, $T.builder().force(force).build())", RuntimeNames.SAVE_OPTIONS).build());
        MethodSpec.Builder save = MethodSpec.methodBuilder("save").addModifiers(PUBLIC)
                .addJavadoc("Writes every parameter and buffer to a safetensors file, atomically: the file keeps its old\n")
                .addJavadoc("content until the new one is complete on disk. Unless {@code options} force it, a NaN or\n")
                .addJavadoc("infinite value, what a training run that diverged leaves, is refused with a\n")
                .addJavadoc("{@code CheckpointException} naming the tensor and index before the file is touched, so\n")
                .addJavadoc("that the last good checkpoint survives. {@code options} add the training state (optimizer\n")
                .addJavadoc("moments, epochs, dropout generator: {@link #load(Path)} then resumes exactly) and the input\n")
                .addJavadoc("standardization; the names are those of {@code TrainingState}.\n")
                .addParameter(Path.class, "file").addParameter(RuntimeNames.SAVE_OPTIONS, "options")
                .addException(IOException.class);
        if (state.isEmpty()) {
            save.addJavadoc("\n@throws IllegalArgumentException if {@code options} ask for the training state: this\n"
                    + "    network has no train section\n");
            save.beginControlFlow("if (options.trainingState())")
                    .addStatement("throw new $T(NAME + $S)", IllegalArgumentException.class,
                            " has no train section, so no training state to save")
                    .endControlFlow();
        }
        JavaGenerator.enter(save);
        save.addStatement("var tensors = new $T<$T, $T>()", LinkedHashMap.class, String.class, RuntimeNames.TENSOR_DATA);
        List<CodeBlock> puts = new ArrayList<>();
        for (Node p : params) {
            String name = name(p);
            puts.add(CodeBlock.builder().addStatement("tensors.put($S, $T.f32($L.toArray(), $L))", name,
                    RuntimeNames.TENSOR_DATA, paramFields.get(name), shape(p)).build());
        }
        save.addCode(new MethodParts("save").parameter(TENSOR_MAP, "tensors").inline(type, puts));
        save.addStatement("var metadata = new $T<$T, $T>()", LinkedHashMap.class, String.class, String.class);
        save.addStatement("metadata.put($S, NAME)", "network");
        save.addStatement("metadata.put($S, SOURCE_SHA256)", "source_sha256");
        save.addStatement("metadata.put($T.STEPS, $T.toString(steps))", RuntimeNames.TRAINING_STATE, Long.class);
        state.ifPresent(s -> {
            List<CodeBlock> statePuts = new ArrayList<>();
            forEachState(s, (p, slot, field) -> statePuts.add(CodeBlock.builder()
                    .addStatement("tensors.put($S, $T.f32($L.toArray(), $L))", stateName(s, slot, p), RuntimeNames.TENSOR_DATA,
                            field, shape(p)).build()));
            save.beginControlFlow("if (options.trainingState())")
                    .addCode(new MethodParts("saveState").parameter(TENSOR_MAP, "tensors").inline(type, statePuts))
                    .addStatement("metadata.putAll($T.metadata($S, epochs, rng.state()))", RuntimeNames.TRAINING_STATE,
                            s.optimizer())
                    .endControlFlow();
        });
        save.addStatement("options.standardization().ifPresent(s -> $T.putStandardization(tensors, s))",
                RuntimeNames.TRAINING_STATE);
        save.beginControlFlow("if (!options.force())")
                .addStatement("$T.requireFinite(file, tensors)", RuntimeNames.SAFETENSORS)
                .endControlFlow();
        save.addStatement("$T.write(file, tensors, metadata)", RuntimeNames.SAFETENSORS);
        JavaGenerator.leave(save);
        type.addMethod(save.build());
    }

    private void addLoad() {
        type.addMethod(MethodSpec.methodBuilder("load").addModifiers(PUBLIC).returns(RuntimeNames.LOAD_REPORT)
                .addJavadoc("Resumes from a checkpoint of this network: {@code load(file, LoadOptions.resume())}. Every\n")
                .addJavadoc("parameter must be in the file; the step count, and the training state if it was saved,\n")
                .addJavadoc("are restored.\n")
                .addParameter(Path.class, "file").addException(IOException.class)
                .addStatement("return load(file, $T.resume())", RuntimeNames.LOAD_OPTIONS).build());
        MethodSpec.Builder load = MethodSpec.methodBuilder("load").addModifiers(PUBLIC).returns(RuntimeNames.LOAD_REPORT)
                .addJavadoc("Reads parameters from a safetensors file, all or nothing: names (after {@code options}'\n")
                .addJavadoc("renaming rules), shapes, finite values and, with the training state, the optimizer's\n")
                .addJavadoc("tensors and the counters are checked before anything changes. F16, BF16 and F64 tensors\n")
                .addJavadoc("are converted to F32; PyTorch's {@code num_batches_tracked} is skipped.\n\n")
                .addJavadoc("@return what was loaded, left out, ignored and converted, and the saved standardization\n")
                .addJavadoc("@throws org.dnnc.runtime.io.CheckpointException naming every missing, unexpected or\n")
                .addJavadoc("    mis-shaped tensor (with the closest name where one is close), or a training state that\n")
                .addJavadoc("    does not fit\n")
                .addParameter(Path.class, "file").addParameter(RuntimeNames.LOAD_OPTIONS, "options")
                .addException(IOException.class);
        JavaGenerator.enter(load);
        List<CodeBlock> expected = new ArrayList<>();
        List<CodeBlock> copies = new ArrayList<>();
        for (Node p : params) {
            String name = name(p);
            expected.add(CodeBlock.of("$S, $T.F32, $L", name, RuntimeNames.IO_DTYPE, shape(p)));
            copies.add(CodeBlock.builder().addStatement("weights.copy($S, $L::copyFrom)", name, paramFields.get(name)).build());
        }
        load.addCode(checkpointSpec("spec", expected));
        load.addStatement("$T checkpoint = $T.read(file)", RuntimeNames.CHECKPOINT, RuntimeNames.SAFETENSORS);
        load.addStatement("$T weights = $T.match(checkpoint, spec.tensors(), options, NAME)", RuntimeNames.MATCHED_WEIGHTS,
                RuntimeNames.MATCHED_WEIGHTS);
        load.addStatement("var standardization = $T.standardization(checkpoint)", RuntimeNames.TRAINING_STATE);
        load.addStatement("long savedSteps = options.trainingState() ? checkpoint.metadataCount($T.STEPS) : steps",
                RuntimeNames.TRAINING_STATE);
        state.ifPresent(s -> {
            List<CodeBlock> stateExpected = new ArrayList<>();
            forEachState(s, (p, slot, field) -> stateExpected.add(CodeBlock.of("$S, $T.F32, $L", stateName(s, slot, p),
                    RuntimeNames.IO_DTYPE, shape(p))));
            load.addStatement("$T state = null", RuntimeNames.TRAINING_STATE);
            load.beginControlFlow("if (options.trainingState())")
                    .addCode(checkpointSpec("stateSpec", stateExpected))
                    .addStatement("state = $T.read(checkpoint, $S, stateSpec.tensors()).orElse(null)",
                            RuntimeNames.TRAINING_STATE, s.optimizer())
                    .endControlFlow();
        });
        load.addComment("Everything is checked: from here nothing fails.");
        load.addCode(new MethodParts("load").parameter(RuntimeNames.MATCHED_WEIGHTS, "weights").inline(type, copies));
        load.addStatement("steps = savedSteps");
        if (state.isEmpty()) {
            load.addStatement("return weights.report().withTrainingState(false, standardization)");
        } else {
            TrainingState s = state.get();
            List<CodeBlock> restores = new ArrayList<>();
            List<CodeBlock> resets = new ArrayList<>();
            forEachState(s, (p, slot, field) -> {
                restores.add(CodeBlock.builder().addStatement("state.copy($S, $L::copyFrom)", stateName(s, slot, p), field)
                        .build());
                resets.add(CodeBlock.builder().addStatement("$L.copyFrom(new float[$L])", field,
                        Sizes.maxCount(p.type(), 1)).build());
            });
            load.beginControlFlow("if (state != null)")
                    .addStatement("epochs = state.epochs()")
                    .addStatement("rng.setState(state.dropoutRng())")
                    .addCode(new MethodParts("loadState").parameter(RuntimeNames.TRAINING_STATE, "state").inline(type, restores))
                    .nextControlFlow("else if (options.trainingState())")
                    .addComment("A file without the state resumes as a fresh optimizer would start.")
                    .addStatement("epochs = 0")
                    .addCode(new MethodParts("resetState").inline(type, resets))
                    .endControlFlow();
            load.addStatement("return weights.report().withTrainingState(state != null, standardization)");
        }
        JavaGenerator.leave(load);
        type.addMethod(load.build());
    }

    /** A callback per parameter that the optimizer updates and per state slot. */
    private interface StateVisitor {
        void visit(Node param, String slot, String field);
    }

    private void forEachState(TrainingState s, StateVisitor visitor) {
        for (Node p : params) {
            List<String> fields = s.fields().get(name(p));
            if (fields == null) {
                continue;
            }
            for (int k = 0; k < s.slots().size(); k++) {
                visitor.visit(p, s.slots().get(k), fields.get(k));
            }
        }
    }

    /** {@code optimizer.adam.m.dense1.weight}, as {@code TrainingState.tensorName} spells it. */
    private static String stateName(TrainingState s, String slot, Node p) {
        return "optimizer." + s.optimizer() + "." + slot + "." + name(p);
    }

    private static String name(Node p) {
        return ((Param) p.op()).name();
    }

    private static String shape(Node p) {
        return Arrays.stream(Sizes.perExample(p.type())).mapToObj(Integer::toString).collect(Collectors.joining(", "));
    }

    /**
     * {@code variable}, a checkpoint spec of the expected tensors: one chained expression, or, for
     * more tensors than one method holds, a builder that helpers fill (javac also recurses once per
     * link of a chain, so a chain as long as a deep network's parameters would overflow its stack).
     *
     * @param tensors the arguments of each {@code tensor(name, dtype, shape...)} call
     */
    private CodeBlock checkpointSpec(String variable, List<CodeBlock> tensors) {
        List<CodeBlock> links = tensors.stream().map(t -> CodeBlock.of("\n.tensor($L)", t)).toList();
        if (MethodParts.fit(links)) {
            return CodeBlock.builder().add("$T $L = $T.builder()", RuntimeNames.CHECKPOINT_SPEC, variable,
                    RuntimeNames.CHECKPOINT_SPEC).indent().add(CodeBlock.join(links, "")).add("\n.build();\n").unindent().build();
        }
        ClassName builder = RuntimeNames.CHECKPOINT_SPEC.nestedClass("Builder");
        String builderVariable = variable + "Builder";
        List<CodeBlock> statements = tensors.stream()
                .map(t -> CodeBlock.builder().addStatement("$L.tensor($L)", builderVariable, t).build()).toList();
        return CodeBlock.builder()
                .addStatement("$T $L = $T.builder()", builder, builderVariable, RuntimeNames.CHECKPOINT_SPEC)
                .add(new MethodParts(variable).parameter(builder, builderVariable).asStatic().inline(type, statements))
                .addStatement("$T $L = $L.build()", RuntimeNames.CHECKPOINT_SPEC, variable, builderVariable)
                .build();
    }
}
