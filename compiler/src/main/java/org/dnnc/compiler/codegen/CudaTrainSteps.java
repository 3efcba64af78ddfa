package org.dnnc.compiler.codegen;

import static javax.lang.model.element.Modifier.FINAL;
import static javax.lang.model.element.Modifier.PRIVATE;

import com.palantir.javapoet.ClassName;
import com.palantir.javapoet.MethodSpec;
import com.palantir.javapoet.TypeSpec;
import java.nio.FloatBuffer;
import java.util.List;

/**
 * The started training steps of a class's CUDA half ({@link CudaClass}): {@code startTrainStep},
 * which copies the batch and learning rate into a pinned slot and queues the step and its
 * read-back; the nested {@code Pending} step that waits for its read-back; {@code trainStep} as a
 * started step waited for; and {@code settle}, which collects every step in flight.
 */
final class CudaTrainSteps {
    /** The nested class of a started step. */
    static final String PENDING = "Pending";

    private CudaTrainSteps() {}

    /** Adds the methods and the nested class to {@code type}, the class {@code self}. */
    static void add(TypeSpec.Builder type, ClassName self, Signature signature, ProgramEmitter trainer) {
        type.addMethod(startTrainStep(self, signature, trainer));
        type.addMethod(MethodSpec.methodBuilder("trainStep").returns(RuntimeNames.STEP_RESULT)
                .addJavadoc("{@code trainStep} on the device: the step started and waited for.\n")
                .addParameter(RuntimeNames.INPUTS, "batch").addParameter(int.class, "count")
                .addParameter(double.class, "learningRate")
                .addStatement("return startTrainStep(batch, count, learningRate).finish()").build());
        type.addType(pending(trainer));
        type.addMethod(MethodSpec.methodBuilder("settle")
                .addJavadoc("Collects every started step, oldest first: before any call that reads or writes what steps\n")
                .addJavadoc("change, so that none sees a step half done and none is lost.\n")
                .beginControlFlow("for (int k = 0; k < 2; k++)")
                .addStatement("$T p = inFlight[(slot + k) % 2]", self.nestedClass(PENDING))
                .beginControlFlow("if (p != null)").addStatement("p.finish()").endControlFlow()
                .endControlFlow().build());
    }

    private static MethodSpec startTrainStep(ClassName self, Signature signature, ProgramEmitter trainer) {
        ClassName pending = self.nestedClass(PENDING);
        MethodSpec.Builder m = MethodSpec.methodBuilder("startTrainStep").returns(RuntimeNames.PENDING_STEP)
                .addJavadoc("{@code startTrainStep} on the device: the batch and learning rate copied into a pinned slot and\n")
                .addJavadoc("uploaded on the copy stream, the step queued behind the upload (one graph launch for a full\n")
                .addJavadoc("batch) and its read-back behind the step; nothing here waits for the device, unless the slot's\n")
                .addJavadoc("previous step is still to be collected or the gate must be written.\n")
                .addParameter(RuntimeNames.INPUTS, "batch").addParameter(int.class, "count")
                .addParameter(double.class, "learningRate");
        JavaGenerator.enterOwner(m);
        m.addStatement("batch.checkBatch(STEP_INPUTS, count, MAX_BATCH)");
        m.addStatement("int wanted = owner.updateOnNonFinite ? $T.APPLY_ALWAYS : stopOnNonFinite ? $T.STOP_AT_NON_FINITE "
                + ": $T.SKIP_NON_FINITE", CudaClass.OPTIMIZERS, CudaClass.OPTIMIZERS, CudaClass.OPTIMIZERS);
        m.beginControlFlow("if (wanted != policy)").addStatement("policy = wanted").addStatement("gateStale = true")
                .endControlFlow();
        m.beginControlFlow("if (gateStale || deviceStale)")
                .addComment("The gate and the parameters are written with no step in flight.")
                .addStatement("settle()").endControlFlow();
        m.addStatement("prepare()");
        m.addStatement("int s = slot");
        m.beginControlFlow("if (inFlight[s] != null)")
                .addComment("The step two before this one: its read-back slot is this step's.")
                .addStatement("inFlight[s].finish()").endControlFlow();
        m.addStatement("slot = 1 - s");
        m.addStatement("int n = count");
        m.addStatement("batches.awaitHostFree(s)");
        List<Signature.Tensor> tensors = stepTensors(signature, trainer);
        for (int k = 0; k < tensors.size(); k++) {
            Signature.Tensor t = tensors.get(k);
            String kind = t.ints() ? "ints" : "floats";
            m.addStatement("batches.$L(s, $L).put(0, batch.$L($S), 0, $L)", kind, k, kind, t.name(),
                    PredictMethods.times("n", t.size()));
        }
        m.addStatement("batches.floats(s, $L).put(0, (float) learningRate)", tensors.size());
        m.addStatement("batches.upload(s)");
        m.addStatement("batches.deliver(s, deliveries)");
        m.beginControlFlow("if (n == MAX_BATCH)").addStatement("stepGraph.run()")
                .nextControlFlow("else").addStatement("step(n)").endControlFlow();
        m.addStatement("stepReadback.queue(s, readback)");
        m.addStatement("hostStale = true");
        m.addStatement("$T started = new $T(s, n)", pending, pending);
        m.addStatement("inFlight[s] = started");
        m.addStatement("return started");
        JavaGenerator.leave(m);
        return m.build();
    }

    /** The nested class of a started step, which reads its slot's read-back when collected. */
    private static TypeSpec pending(ProgramEmitter trainer) {
        String judged = trainer.judgedLabels() == null ? "" : ", (int) r.get(2)";
        return TypeSpec.classBuilder(PENDING).addModifiers(PRIVATE, FINAL).addSuperinterface(RuntimeNames.PENDING_STEP)
                .addJavadoc("A training step queued on the device; {@link #finish} waits for its read-back only.\n")
                .addField(int.class, "slot", PRIVATE, FINAL).addField(int.class, "n", PRIVATE, FINAL)
                .addField(RuntimeNames.STEP_RESULT, "result", PRIVATE)
                .addMethod(MethodSpec.constructorBuilder().addParameter(int.class, "slot").addParameter(int.class, "n")
                        .addStatement("this.slot = slot").addStatement("this.n = n").build())
                .addMethod(MethodSpec.methodBuilder("finish").addAnnotation(Override.class)
                        .addModifiers(javax.lang.model.element.Modifier.PUBLIC).returns(RuntimeNames.STEP_RESULT)
                        .addJavadoc("Waits for this step's read-back, counts the step if its update applied, and returns its\n")
                        .addJavadoc("result, as the CPU's {@code trainStep} reports it.\n")
                        .beginControlFlow("if (result != null)").addStatement("return result").endControlFlow()
                        .addStatement("$T r = stepReadback.await(slot)", FloatBuffer.class)
                        .beginControlFlow("if (inFlight[slot] == this)").addStatement("inFlight[slot] = null")
                        .endControlFlow()
                        .addStatement("float loss = r.get(0)")
                        .beginControlFlow("if (r.get(4) == 0f)").addStatement("owner.steps++")
                        .nextControlFlow("else if (policy == $T.STOP_AT_NON_FINITE)", CudaClass.OPTIMIZERS)
                        .addComment("The gate latched: cleared before the next step, once none is in flight.")
                        .addStatement("gateStale = true").endControlFlow()
                        .addStatement("result = new $T((double) loss * n, (int) r.get(1)$L, r.get(3) == 0f)",
                                RuntimeNames.STEP_RESULT, judged)
                        .addStatement("return result").build())
                .build();
    }

    /** The step inputs the training program reads, in the order of the pinned slots' tensors. */
    static List<Signature.Tensor> stepTensors(Signature signature, ProgramEmitter trainer) {
        return signature.stepInputs().stream().filter(t -> trainer.inputField(t.name()) != null).toList();
    }

}
