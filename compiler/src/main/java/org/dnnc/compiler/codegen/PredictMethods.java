package org.dnnc.compiler.codegen;

import static javax.lang.model.element.Modifier.FINAL;
import static javax.lang.model.element.Modifier.PRIVATE;
import static javax.lang.model.element.Modifier.PUBLIC;
import static javax.lang.model.element.Modifier.STATIC;

import com.palantir.javapoet.CodeBlock;
import com.palantir.javapoet.FieldSpec;
import com.palantir.javapoet.MethodSpec;
import com.palantir.javapoet.TypeName;
import com.palantir.javapoet.TypeSpec;
import java.util.Arrays;
import java.util.List;
import org.dnnc.compiler.ir.Graph;

/** The predict methods of a generated class, trainable or not, around its inference program. */
final class PredictMethods {
    private final TypeSpec.Builder type;

    PredictMethods(TypeSpec.Builder type) {
        this.type = type;
    }

    /**
     * {@code predict(Inputs)}, which returns every output, and for a network with one float input
     * the conveniences that take and fill plain arrays; all run the inference program in {@code
     * infer(n)}.
     */
    void add(ProgramEmitter program, List<CodeBlock> body, Graph infer, Signature signature) {
        CodeBlock calls = new MethodParts("infer").parameter(TypeName.INT, "n").inline(type, body);
        type.addMethod(MethodSpec.methodBuilder("infer").addModifiers(PRIVATE)
                .addJavadoc("Runs the inference program on the first {@code n} examples of its input buffers.\n")
                .addParameter(int.class, "n").addCode(calls).build());
        List<Integer> outputIds = List.copyOf(infer.outputs().values());
        MethodSpec.Builder all = JavaGenerator.override("predict", RuntimeNames.OUTPUTS).addParameter(RuntimeNames.INPUTS, "inputs")
                .addJavadoc("Every output for the examples in {@code inputs} (one array per input of {@link #INPUTS}).\n");
        JavaGenerator.enter(all);
        all.addStatement("int count = inputs.count(INPUTS)")
                .addStatement("$T result = $T.allocate(OUTPUTS, count)", RuntimeNames.OUTPUTS, RuntimeNames.OUTPUTS);
        for (Signature.Tensor t : signature.inputs()) {
            all.addStatement("$T in_$L = inputs.$L($S)", t.ints() ? int[].class : float[].class,
                    JavaNames.identifier(t.name()), t.ints() ? "ints" : "floats", t.name());
        }
        for (Signature.Tensor t : signature.outputs()) {
            all.addStatement("float[] out_$L = result.get($S)", JavaNames.identifier(t.name()), t.name());
        }
        all.beginControlFlow("for (int start = 0; start < count; start += PREDICT_BATCH)");
        all.addStatement("int n = $T.min(PREDICT_BATCH, count - start)", Math.class);
        for (Signature.Tensor t : signature.inputs()) {
            String field = program.inputField(t.name());
            all.addStatement(t.ints() ? "$L.put(0, in_$L, $L, $L)" : "$L.data().put(0, in_$L, $L, $L)",
                    field, JavaNames.identifier(t.name()), times("start", t.size()), times("n", t.size()));
        }
        all.addStatement("infer(n)");
        for (int k = 0; k < outputIds.size(); k++) {
            Signature.Tensor t = signature.outputs().get(k);
            all.addStatement("$L.data().get(0, out_$L, $L, $L)", program.field(outputIds.get(k)),
                    JavaNames.identifier(t.name()), times("start", t.size()), times("n", t.size()));
        }
        all.endControlFlow();
        all.addStatement("return result");
        JavaGenerator.leave(all);
        type.addMethod(all.build());
        Signature.Tensor input = signature.singleFloatInput();
        if (input != null) {
            addSingleInputPredict(program, input, signature.outputs().get(0), program.field(outputIds.get(0)));
        }
    }

    /** {@code n * size}, or {@code n} for one value per example. */
    static String times(String n, int size) {
        return size == 1 ? n : n + " * " + size;
    }

    private void addSingleInputPredict(ProgramEmitter program, Signature.Tensor input, Signature.Tensor output,
            String outputField) {
        int inputSize = input.size();
        type.addField(FieldSpec.builder(int.class, "OUTPUT_SIZE", PUBLIC, STATIC, FINAL).initializer("$L", output.size())
                .addJavadoc("Values per example of the output {@code $L}.\n", output.name()).build());
        type.addMethod(MethodSpec.methodBuilder("predict").addModifiers(PUBLIC).returns(float[].class)
                .addJavadoc("The output {@code $L} for one example.\n", output.name())
                .addParameter(float[].class, "example")
                .beginControlFlow("if (example.length != $L)", inputSize)
                .addStatement("throw new $T($S + example.length + $S)", IllegalArgumentException.class,
                        "input `" + input.name() + "`: expected one example of shape " + Arrays.toString(input.shape())
                                + " (" + inputSize + " values), got ", " values")
                .endControlFlow()
                .addStatement("float[] result = new float[OUTPUT_SIZE]")
                .addStatement("predict(example, 1, result)")
                .addStatement("return result").build());
        MethodSpec.Builder batch = MethodSpec.methodBuilder("predict").addModifiers(PUBLIC)
                .addJavadoc("The output {@code $L} for {@code count} examples, written to {@code out}.\n", output.name())
                .addParameter(float[].class, "x").addParameter(int.class, "count").addParameter(float[].class, "out");
        JavaGenerator.enter(batch);
        checkArrays(batch, input, output);
        batch.beginControlFlow("for (int start = 0; start < count; start += PREDICT_BATCH)");
        batch.addStatement("int n = $T.min(PREDICT_BATCH, count - start)", Math.class);
        batch.addStatement("$L.data().put(0, x, start * $L, n * $L)", program.inputField(input.name()), inputSize,
                inputSize);
        batch.addStatement("infer(n)");
        batch.addStatement("$L.data().get(0, out, start * OUTPUT_SIZE, n * OUTPUT_SIZE)", outputField);
        batch.endControlFlow();
        JavaGenerator.leave(batch);
        type.addMethod(batch.build());
    }

    /** The check of {@code predict(x, count, out)}'s arrays, which both devices' versions make first. */
    static void checkArrays(MethodSpec.Builder m, Signature.Tensor input, Signature.Tensor output) {
        m.beginControlFlow("if (count < 0 || x.length < (long) count * $L || out.length < (long) count * OUTPUT_SIZE)",
                input.size());
        m.addStatement("throw new $T($S + count + $S + x.length + $S + out.length)", IllegalArgumentException.class,
                "predict: ", " examples need " + input.size() + " input and " + output.size()
                        + " output values each; got ", " and ");
        m.endControlFlow();
    }
}
