package org.dnnc.compiler.codegen;

import com.palantir.javapoet.MethodSpec;
import com.palantir.javapoet.TypeSpec;
import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.function.IntFunction;
import org.dnnc.compiler.ir.Graph;

/**
 * The {@code predict} methods of a class's CUDA half ({@link CudaClass}): inference passes of
 * {@code PREDICT_BATCH} examples through two pinned slots, pass k+1 uploaded while pass k computes.
 */
final class CudaPredictMethods {
    private CudaPredictMethods() {}

    /** Adds {@code predict(Inputs)}, and {@code predict(float[], int, float[])} for a single float input, to {@code type}. */
    static void add(TypeSpec.Builder type, Signature signature, ProgramEmitter program, Graph infer) {
        List<Integer> outputIds = List.copyOf(infer.outputs().values());
        MethodSpec.Builder all = MethodSpec.methodBuilder("predict").returns(RuntimeNames.OUTPUTS)
                .addJavadoc("{@code predict(Inputs)} on the device, {@link #PREDICT_BATCH} examples per pass.\n")
                .addParameter(RuntimeNames.INPUTS, "inputs");
        JavaGenerator.enterOwner(all);
        all.addStatement("settle()");
        all.addStatement("prepare()");
        all.addStatement("int count = inputs.count(INPUTS)")
                .addStatement("$T result = $T.allocate(OUTPUTS, count)", RuntimeNames.OUTPUTS, RuntimeNames.OUTPUTS);
        for (Signature.Tensor t : signature.inputs()) {
            all.addStatement("$T in_$L = inputs.$L($S)", t.ints() ? int[].class : float[].class,
                    JavaNames.identifier(t.name()), t.ints() ? "ints" : "floats", t.name());
        }
        passes(all, signature, program, outputIds, "in_$NAME", k -> "result.get(\"" + signature.outputs().get(k).name() + "\")");
        all.addStatement("return result");
        JavaGenerator.leave(all);
        type.addMethod(all.build());
        Signature.Tensor single = signature.singleFloatInput();
        if (single != null) {
            MethodSpec.Builder arrays = MethodSpec.methodBuilder("predict")
                    .addJavadoc("{@code predict(float[], int, float[])} on the device: the first output.\n")
                    .addParameter(float[].class, "x").addParameter(int.class, "count").addParameter(float[].class, "out");
            JavaGenerator.enterOwner(arrays);
            PredictMethods.checkArrays(arrays, single, signature.outputs().get(0));
            arrays.addStatement("settle()");
            arrays.addStatement("prepare()");
            passes(arrays, signature, program, outputIds.subList(0, 1), "x", k -> "out");
            JavaGenerator.leave(arrays);
            type.addMethod(arrays.build());
        }
    }

    /**
     * The loop of inference passes, one behind the other: pass k's inputs are copied into a pinned
     * slot, uploaded on the copy stream and delivered, pass k runs and its outputs are queued for
     * read-back; then pass k-1's outputs, which the device has copied meanwhile, go to the caller.
     */
    private static void passes(MethodSpec.Builder m, Signature signature, ProgramEmitter program,
            List<Integer> outputIds, String from, IntFunction<String> into) {
        m.addStatement("int passes = (count + PREDICT_BATCH - 1) / PREDICT_BATCH");
        m.beginControlFlow("for (int pass = 0; pass <= passes; pass++)");
        m.beginControlFlow("if (pass < passes)");
        m.addStatement("int start = pass * PREDICT_BATCH");
        m.addStatement("int n = $T.min(PREDICT_BATCH, count - start)", Math.class);
        m.addStatement("int s = pass % 2");
        m.addStatement("passBatches.awaitHostFree(s)");
        List<Signature.Tensor> tensors = passTensors(signature, program);
        for (int k = 0; k < tensors.size(); k++) {
            Signature.Tensor t = tensors.get(k);
            m.addStatement("passBatches.$L(s, $L).put(0, $L, $L, $L)", t.ints() ? "ints" : "floats", k,
                    from.replace("$NAME", JavaNames.identifier(t.name())), PredictMethods.times("start", t.size()),
                    PredictMethods.times("n", t.size()));
        }
        m.addStatement("passBatches.upload(s)");
        m.addStatement("passBatches.deliver(s, passInputs)");
        m.beginControlFlow("if (n == PREDICT_BATCH)").addStatement("inferGraph.run()")
                .nextControlFlow("else").addStatement("infer(n)").endControlFlow();
        List<String> outputs = new ArrayList<>();
        for (int k = 0; k < outputIds.size(); k++) {
            outputs.add(program.field(outputIds.get(k)) + ".slice(0, "
                    + PredictMethods.times("n", signature.outputs().get(k).size()) + ")");
        }
        m.addStatement("passReadback.queue(s, $L)", String.join(", ", outputs));
        m.endControlFlow();
        m.beginControlFlow("if (pass > 0)");
        m.addComment("The pass before, read back while this one computes.");
        m.addStatement("int start = (pass - 1) * PREDICT_BATCH");
        m.addStatement("int n = $T.min(PREDICT_BATCH, count - start)", Math.class);
        m.addStatement("$T outputs = passReadback.await((pass - 1) % 2)", FloatBuffer.class);
        String at = "0";
        for (int k = 0; k < outputIds.size(); k++) {
            Signature.Tensor t = signature.outputs().get(k);
            String n = PredictMethods.times("n", t.size());
            m.addStatement("outputs.get($L, $L, $L, $L)", at, into.apply(k), PredictMethods.times("start", t.size()), n);
            at = at.equals("0") ? n : at + " + " + n;
        }
        m.endControlFlow();
        m.endControlFlow();
    }

    /** The inputs the inference program reads, in the order of the pinned pass slots' tensors. */
    static List<Signature.Tensor> passTensors(Signature signature, ProgramEmitter predictor) {
        return signature.inputs().stream().filter(t -> predictor.inputField(t.name()) != null).toList();
    }
}
