package org.dnnc.compiler.codegen;

import static javax.lang.model.element.Modifier.FINAL;
import static javax.lang.model.element.Modifier.PRIVATE;
import static javax.lang.model.element.Modifier.STATIC;

import com.palantir.javapoet.ArrayTypeName;
import com.palantir.javapoet.ClassName;
import com.palantir.javapoet.CodeBlock;
import com.palantir.javapoet.FieldSpec;
import com.palantir.javapoet.MethodSpec;
import com.palantir.javapoet.TypeSpec;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.IntBuffer;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.dnnc.compiler.autodiff.Differentiator;
import org.dnnc.compiler.autodiff.Program;
import org.dnnc.compiler.codegen.cuda.FusedKernels;
import org.dnnc.compiler.ir.DropoutMask;
import org.dnnc.compiler.ir.Graph;
import org.dnnc.compiler.ir.Node;
import org.dnnc.compiler.ir.Param;
import org.dnnc.compiler.lowering.LoweredProgram;
import org.dnnc.compiler.lowering.Lowering;

/**
 * The CUDA half of a class compiled with the CUDA target: a private nested class {@code OnCuda}
 * that the outer class creates only when its builder chooses {@code Device.CUDA}, so that a CPU
 * user loads no CUDA class. It owns a {@code CudaContext}, a device arena of the parameters with
 * their optimizer state and one of the programs' workspace (planned by the CUDA target, 256-byte
 * aligned), a {@code DevBuf} view per planned value, and the generated fused kernels as source
 * constants loaded when it opens.
 *
 * <p>The outer class's host parameters stay the checkpoint's source of truth: training marks the
 * device's copy newer ({@code syncHost} downloads it before a save or a parameter copy), and a load
 * or a parameter write marks the host's newer (uploaded before the next device call). So a
 * checkpoint is written by the same code on either device.
 *
 * <p>A full batch's training step is one piece of captured work: forward, backward, the gradients'
 * norm, a one-thread gate ({@code CudaOptimizers.gate}) that decides on the device, as the CPU's
 * step does on the host, whether the update applies (a NaN or infinite loss or gradient skips it,
 * unless {@code updateOnNonFiniteLoss}; under {@code NonFinite.STOP} the skip latches for the steps
 * queued behind it) and computes the optimizer's per-step scalars from a device step counter, then
 * the clipping and updates, which do nothing when the gate says so. A step is started ({@code
 * startTrainStep}) by copying its batch and learning rate into a pinned slot ({@code
 * PinnedBatches}), uploading it on the copy stream and replaying the step; its loss, counts and
 * flags come back in one asynchronous copy ({@code PinnedReadback}) that its {@code finish} waits
 * for, which is the step's only synchronization. Inference passes upload pass k+1 the same way while
 * pass k computes; evaluation passes are captured too. A smaller batch runs the same calls directly.
 */
final class CudaClass {
    static final String NAME = "OnCuda";
    private static final String CUDA = "org.dnnc.runtime.cuda";
    private static final ClassName CONTEXT = ClassName.get(CUDA, "CudaContext");
    private static final ClassName OPTIONS = ClassName.get(CUDA, "CudaOptions");
    private static final ClassName ARENA = ClassName.get(CUDA, "DeviceArena");
    private static final ClassName DEV_BUF = ClassName.get(CUDA, "DevBuf");
    private static final ClassName KERNEL = ClassName.get(CUDA, "Kernel");
    private static final ClassName KERNEL_SOURCE = ClassName.get(CUDA, "RuntimeKernelSource");
    private static final ClassName CAPTURED = ClassName.get(CUDA, "CapturedWork");
    private static final ClassName DROPOUT = ClassName.get(CUDA, "CudaDropout");
    private static final ClassName CLIPPING = ClassName.get(CUDA, "CudaClipping");
    static final ClassName OPTIMIZERS = ClassName.get(CUDA, "CudaOptimizers");
    private static final ClassName PINNED = ClassName.get(CUDA, "PinnedBatches");
    private static final ClassName READBACKS = ClassName.get(CUDA, "PinnedReadback");
    /** The nested class of a started step. */
    /**
     * The loss, the correct rows, the counted rows, whether the gradients were not finite and whether
     * the step skipped its update, read back together once per step ({@code CudaOptimizers.READBACK_FLOATS}).
     */
    static final int READBACK = 5;
    /** Floats of {@code CudaClipping.SCRATCH_SIZE}: 64 doubles of partial sums, then the norm and the factor. */
    static final int CLIP_SCRATCH = 2 * 64 + 2;

    private final Lowering lowering;
    private final ClassName owner;
    private final ClassName self;
    private final List<Node> params;
    private final Map<String, String> paramFields;
    private final Map<String, List<String>> stateFields;
    private final Optimizer optimizer;
    private final Signature signature;
    private final Clipping clipping;
    private final String sourceName;
    private final TypeSpec.Builder type;
    private final List<String> graphs = new ArrayList<>();

    CudaClass(Lowering lowering, ClassName owner, List<Node> params, Map<String, String> paramFields,
            Map<String, List<String>> stateFields, Optimizer optimizer, Signature signature, Clipping clipping,
            String sourceName) {
        this.lowering = lowering;
        this.owner = owner;
        this.self = owner.nestedClass(NAME);
        this.params = params;
        this.paramFields = paramFields;
        this.stateFields = stateFields;
        this.optimizer = optimizer;
        this.signature = signature;
        this.clipping = clipping;
        this.sourceName = sourceName;
        this.type = TypeSpec.classBuilder(self).addModifiers(PRIVATE, STATIC, FINAL);
    }

    /** The nested class's type. */
    static ClassName type(ClassName owner) {
        return owner.nestedClass(NAME);
    }

    /**
     * The nested class.
     *
     * @throws CodegenException if the network has an op the CUDA target has no call for
     */
    TypeSpec spec() throws CodegenException {
        Geometries geometries = new Geometries();
        LoweredProgram train = lowering.program(Program.Kind.TRAIN).orElseThrow();
        LoweredProgram evaluate = lowering.program(Program.Kind.EVALUATE).orElseThrow();
        LoweredProgram infer = lowering.inference();
        ProgramEmitter trainer = emitter("t", train, geometries);
        ProgramEmitter evaluator = emitter("e", evaluate, geometries);
        ProgramEmitter predictor = emitter("i", infer, geometries);
        List<CodeBlock> trainBody = trainer.body();
        List<CodeBlock> evalBody = evaluator.body();
        List<CodeBlock> inferBody = predictor.body();
        int predictBatch = lowering.predictBatch();
        type.addJavadoc("{@code $L}'s programs on a CUDA device, loaded only when the builder chooses\n", owner.simpleName())
                .addJavadoc("{@code Device.CUDA}; the outer instance keeps the host parameters that checkpoints read.\n");
        type.addField(FieldSpec.builder(int.class, "PREDICT_BATCH", PRIVATE, STATIC, FINAL)
                .initializer("$L", predictBatch)
                .addJavadoc("Examples per inference pass on the device: the CUDA plan's predict batch.\n").build());
        List<FusedKernels.Kernel> kernels = FusedKernels.of(lowering);
        for (FusedKernels.Kernel k : kernels) {
            type.addField(FieldSpec.builder(String.class, sourceConstant(k.source().name()), PRIVATE, STATIC, FINAL)
                    .initializer("$S", k.header() + k.source().source())
                    .addJavadoc("The CUDA C of {@code $L}, compiled with NVRTC when the class opens.\n", k.source().name())
                    .build());
        }
        // The layers' shapes, as the CPU programs' but of the CUDA plan's programs: the calls name them.
        geometries.fieldSpecs().forEach(type::addField);
        type.addField(owner, "owner", PRIVATE, FINAL);
        type.addField(CONTEXT, "ctx", PRIVATE, FINAL);
        type.addField(DEV_BUF, "readback", PRIVATE, FINAL);
        type.addField(DEV_BUF, "counts", PRIVATE, FINAL);
        type.addField(DEV_BUF, "scalars", PRIVATE, FINAL);
        type.addField(FieldSpec.builder(DEV_BUF, "lr", PRIVATE, FINAL)
                .addJavadoc("The step's learning rate, delivered with its batch.\n").build());
        type.addField(FieldSpec.builder(DEV_BUF, "gate", PRIVATE, FINAL)
                .addJavadoc("The step gate's state: the apply flag, the latched stop, the policy and the step counter.\n")
                .build());
        type.addField(DEV_BUF, "rng", PRIVATE, FINAL);
        type.addField(DEV_BUF, "clipScratch", PRIVATE, FINAL);
        type.addField(ArrayTypeName.of(DEV_BUF), "gradients", PRIVATE, FINAL);
        type.addField(FieldSpec.builder(int[].class, "GRADIENT_SIZES", PRIVATE, STATIC, FINAL)
                .initializer("{$L}", String.join(", ", gradients(train.graph()).values().stream()
                        .map(g -> Integer.toString(g.count())).toList()))
                .addJavadoc("Elements of each parameter gradient, in the order of {@code gradients}.\n").build());
        type.addField(FloatBuffer.class, "hostReadback", PRIVATE, FINAL);
        type.addField(IntBuffer.class, "hostGate", PRIVATE, FINAL);
        type.addField(FieldSpec.builder(PINNED, "batches", PRIVATE, FINAL)
                .addJavadoc("Two pinned slots of a training step's inputs and learning rate.\n").build());
        type.addField(FieldSpec.builder(ArrayTypeName.of(DEV_BUF), "deliveries", PRIVATE, FINAL)
                .addJavadoc("Where {@code batches} delivers a slot: the training program's input views and {@code lr}.\n")
                .build());
        type.addField(FieldSpec.builder(READBACKS, "stepReadback", PRIVATE, FINAL)
                .addJavadoc("Two pinned slots of a step's read-back floats, one per slot of {@code batches}.\n").build());
        type.addField(FieldSpec.builder(ArrayTypeName.of(self.nestedClass(CudaTrainSteps.PENDING)), "inFlight", PRIVATE, FINAL)
                .initializer("new $T[2]", self.nestedClass(CudaTrainSteps.PENDING))
                .addJavadoc("The started steps not yet collected, by slot.\n").build());
        type.addField(FieldSpec.builder(int.class, "slot", PRIVATE)
                .addJavadoc("The slot of the next step.\n").build());
        type.addField(FieldSpec.builder(int.class, "policy", PRIVATE)
                .addJavadoc("The gate's policy for non-finite steps, as last written to {@code gate}.\n").build());
        type.addField(FieldSpec.builder(boolean.class, "stopOnNonFinite", PRIVATE)
                .addJavadoc("Whether the caller stops at a non-finite step ({@code NonFinite.STOP}): the gate latches.\n")
                .build());
        type.addField(FieldSpec.builder(boolean.class, "gateStale", PRIVATE)
                .addJavadoc("Whether {@code gate} must be written again (policy, step count, a latched stop cleared).\n")
                .build());
        type.addField(FieldSpec.builder(PINNED, "passBatches", PRIVATE, FINAL)
                .addJavadoc("Two pinned slots of an inference pass's inputs.\n").build());
        type.addField(FieldSpec.builder(ArrayTypeName.of(DEV_BUF), "passInputs", PRIVATE, FINAL)
                .addJavadoc("Where {@code passBatches} delivers a slot: the inference program's input views.\n").build());
        type.addField(FieldSpec.builder(READBACKS, "passReadback", PRIVATE, FINAL)
                .addJavadoc("Two pinned slots of an inference pass's outputs.\n").build());
        kernels.forEach(k -> type.addField(KERNEL, k.source().name(), PRIVATE, FINAL));
        Map<String, Boolean> staged = staged();
        staged.forEach((name, ints) -> type.addField(ints ? IntBuffer.class : FloatBuffer.class, stage(name), PRIVATE,
                FINAL));
        for (String f : paramFields.values()) {
            type.addField(DEV_BUF, f, PRIVATE, FINAL);
        }
        stateFields.values().forEach(fields -> fields.forEach(f -> type.addField(DEV_BUF, f, PRIVATE, FINAL)));
        for (ProgramEmitter p : List.of(trainer, evaluator, predictor)) {
            p.fieldSpecs(DEV_BUF, DEV_BUF).forEach(type::addField);
        }
        type.addField(FieldSpec.builder(boolean.class, "deviceStale", PRIVATE)
                .addJavadoc("Whether the host's parameters changed since the device's were written.\n").build());
        type.addField(FieldSpec.builder(boolean.class, "hostStale", PRIVATE)
                .addJavadoc("Whether training changed the device's parameters since the host's were read.\n").build());

        type.addMethod(constructor(kernels, staged, train.graph(), trainer, evaluator, predictor));
        type.addMethod(MethodSpec.methodBuilder("open").addModifiers(STATIC).returns(self)
                .addJavadoc("Opens the first CUDA device for {@code owner}, whose parameters it uploads before its first\n")
                .addJavadoc("call; {@code tf32} lets cuBLAS use TF32.\n\n")
                .addJavadoc("@throws org.dnnc.runtime.cuda.CudaUnavailableException naming what this machine lacks\n")
                .addParameter(owner, "owner").addParameter(boolean.class, "tf32")
                .addStatement("$T ctx = $T.open($T.builder().tf32(tf32).build())", CONTEXT, CONTEXT, OPTIONS)
                .beginControlFlow("try")
                .addStatement("return new $T(owner, ctx)", self)
                .nextControlFlow("catch ($T | $T e)", RuntimeException.class, Error.class)
                .addStatement("ctx.close()")
                .addStatement("throw e")
                .endControlFlow().build());
        List<CodeBlock> withNorm = new ArrayList<>(trainBody);
        CodeBlock.Builder norm = CodeBlock.builder()
                .add("// The gradients' norm, which the gate reads: not finite when a gradient overflowed.\n");
        if (clipping.maxNorm() != null) {
            norm.add("// With the factor that clips it to $L (clip_norm), which the update applies.\n", clipping.maxNorm());
            norm.addStatement("$T.norm(ctx, gradients, GRADIENT_SIZES, $Lf, clipScratch)", CLIPPING,
                    clipping.maxNorm().floatValue());
        } else {
            norm.addStatement("$T.norm(ctx, gradients, GRADIENT_SIZES, clipScratch)", CLIPPING);
        }
        withNorm.add(norm.build());
        type.addMethod(program("train", withNorm, trainer.lossField()));
        type.addMethod(program("evaluate", evalBody, evaluator.lossField()));
        type.addMethod(program("infer", inferBody, null));
        type.addMethod(update(train.graph(), trainer));
        type.addMethod(MethodSpec.methodBuilder("step").addModifiers(PRIVATE).addParameter(int.class, "n")
                .addJavadoc("Queues a whole training step on the first {@code n} examples: the training program, then the\n")
                .addJavadoc("gate and the update it allows. Nothing in it waits for the host.\n")
                .addStatement("train(n)").addStatement("update()").build());
        CudaTrainSteps.add(type, self, signature, trainer);
        type.addMethod(MethodSpec.methodBuilder("onNonFinite").addParameter(RuntimeNames.NON_FINITE, "nonFinite")
                .addJavadoc("What the caller does with a non-finite step: under {@code STOP} the gate latches. Clears a\n")
                .addJavadoc("latched stop before the next step.\n")
                .addStatement("stopOnNonFinite = nonFinite == $T.STOP", RuntimeNames.NON_FINITE)
                .addStatement("gateStale = true").build());
        type.addMethod(evaluateStep(evaluator));
        CudaPredictMethods.add(type, signature, predictor, infer.graph());
        type.addMethod(syncHost(train.graph()));
        type.addMethod(MethodSpec.methodBuilder("hostChanging")
                .addJavadoc("Called before the host's parameters change: they are made current first (a load may keep\n")
                .addJavadoc("some), and the device's are uploaded again before its next call.\n")
                .addStatement("syncHost()").addStatement("deviceStale = true").build());
        type.addMethod(prepare(train.graph()));
        MethodSpec.Builder close = MethodSpec.methodBuilder("close")
                .addJavadoc("Frees the pinned slots and the graphs, then the context with its arenas and kernels.\n");
        close.addStatement("batches.close()").addStatement("stepReadback.close()").addStatement("passBatches.close()")
                .addStatement("passReadback.close()");
        graphs.forEach(g -> close.addStatement("$L.close()", g));
        type.addMethod(close.addStatement("ctx.close()").build());
        return type.build();
    }

    private ProgramEmitter emitter(String prefix, LoweredProgram program, Geometries geometries) {
        return new ProgramEmitter(prefix, program.graph(), program.plan(), paramFields, sourceName, geometries,
                lowering.target().kernels(), false);
    }

    private static String sourceConstant(String kernel) {
        return kernel.toUpperCase(Locale.ROOT) + "_SOURCE";
    }

    private static String stage(String input) {
        return "stage_" + JavaNames.identifier(input);
    }

    /** Every input a step or a pass uploads, by name, with whether it holds ints. */
    private Map<String, Boolean> staged() {
        Map<String, Boolean> staged = new LinkedHashMap<>();
        signature.stepInputs().forEach(t -> staged.put(t.name(), t.ints()));
        return staged;
    }

    /** The elements of {@code t} one host buffer stages for an evaluation step. */
    private int stagedCount(Signature.Tensor t) {
        return lowering.maxBatch() * t.size();
    }

    /** The pinned slots of steps and passes, their destinations, and what comes back. */
    private void pinned(MethodSpec.Builder m, ProgramEmitter trainer, ProgramEmitter predictor) {
        m.addComment("A step's inputs and learning rate, and a pass's inputs, in two pinned slots each; what comes back.");
        List<String> counts = new ArrayList<>();
        List<String> views = new ArrayList<>();
        for (Signature.Tensor t : CudaTrainSteps.stepTensors(signature, trainer)) {
            counts.add(PredictMethods.times("MAX_BATCH", t.size()));
            views.add(trainer.inputField(t.name()));
        }
        m.addStatement("batches = new $T(ctx, $L, 1)", PINNED, String.join(", ", counts));
        m.addStatement("deliveries = new $T[] {$L, lr}", DEV_BUF, String.join(", ", views));
        m.addStatement("stepReadback = new $T(ctx, 2, $L)", READBACKS, READBACK);
        counts.clear();
        views.clear();
        for (Signature.Tensor t : CudaPredictMethods.passTensors(signature, predictor)) {
            counts.add(PredictMethods.times("PREDICT_BATCH", t.size()));
            views.add(predictor.inputField(t.name()));
        }
        m.addStatement("passBatches = new $T(ctx, $L)", PINNED, String.join(", ", counts));
        m.addStatement("passInputs = new $T[] {$L}", DEV_BUF, String.join(", ", views));
        int outputs = signature.outputs().stream().mapToInt(Signature.Tensor::size).sum();
        m.addStatement("passReadback = new $T(ctx, 2, $L)", READBACKS, PredictMethods.times("PREDICT_BATCH", outputs));
    }

    private MethodSpec constructor(List<FusedKernels.Kernel> kernels, Map<String, Boolean> staged, Graph trainGraph,
            ProgramEmitter trainer, ProgramEmitter evaluator, ProgramEmitter predictor) {
        MethodSpec.Builder m = MethodSpec.constructorBuilder().addModifiers(PRIVATE)
                .addParameter(owner, "owner").addParameter(CONTEXT, "ctx")
                .addStatement("this.owner = owner").addStatement("this.ctx = ctx");
        long offset = 0;
        List<CodeBlock> views = new ArrayList<>();
        for (Node p : params) {
            Param param = (Param) p.op();
            int count = Sizes.maxCount(p.type(), 1);
            List<String> names = new ArrayList<>();
            names.add(paramFields.get(param.name()));
            names.addAll(stateFields.getOrDefault(param.name(), List.of()));
            for (String name : names) {
                views.add(CodeBlock.builder().addStatement("$L = parameters.floats($LL, $L)", name, offset, count).build());
                offset += lowering.target().memory().align(4L * count);
            }
        }
        m.addComment("Parameters and optimizer state: $L bytes; the programs' workspace: $L bytes.", offset,
                lowering.workspaceBytes());
        m.addStatement("$T parameters = ctx.arena($LL)", ARENA, offset);
        m.addStatement("$T workspace = ctx.arena($LL)", ARENA, lowering.workspaceBytes());
        m.addComment("The read-back floats, the optimizer's step scalars, the dropout generator's two words, the");
        m.addComment("learning rate, the gate's state and the gradients' norm with its partial sums.");
        int scalarCount = CudaUpdates.scalarCount(optimizer);
        m.addStatement("$T small = ctx.arena($LL)", ARENA, 5 * 256L + 4L * CLIP_SCRATCH);
        m.addStatement("readback = small.floats(0L, $L)", READBACK);
        m.addStatement("counts = readback.slice(1, 2)");
        m.addStatement("scalars = small.floats(256L, $L)", scalarCount);
        m.addStatement("rng = small.floats(512L, 2)");
        m.addStatement("lr = small.floats(768L, 1)");
        m.addStatement("gate = small.ints(1024L, $T.GATE_STATE_INTS)", OPTIMIZERS);
        m.addStatement("clipScratch = small.floats(1280L, $T.SCRATCH_SIZE)", CLIPPING);
        m.addStatement("hostReadback = floats($L)", READBACK);
        m.addStatement("hostGate = ints($T.GATE_STATE_INTS)", OPTIMIZERS);
        for (Signature.Tensor t : signature.stepInputs()) {
            if (staged.containsKey(t.name())) {
                m.addStatement("$L = $L($L)", stage(t.name()), t.ints() ? "ints" : "floats", stagedCount(t));
            }
        }
        m.addCode(CodeBlock.join(views, ""));
        Map<String, ProgramEmitter> programs = new LinkedHashMap<>();
        programs.put("The training program's values", trainer);
        programs.put("The evaluation program's values", evaluator);
        programs.put("The inference program's values", predictor);
        for (var p : programs.entrySet()) {
            m.addComment("$L", p.getKey());
            m.addCode(CodeBlock.join(p.getValue().views("workspace"), ""));
        }
        pinned(m, trainer, predictor);
        m.addStatement("gradients = new $T[] {$L}", DEV_BUF, String.join(", ", gradients(trainGraph).values().stream()
                .map(g -> trainer.field(g.id())).toList()));
        for (FusedKernels.Kernel k : kernels) {
            m.addStatement("$L = new $T($S, $L).load(ctx)", k.source().name(), KERNEL_SOURCE, k.source().name(),
                    sourceConstant(k.source().name()));
        }
        for (String g : List.of("step", "evaluate", "infer")) {
            String field = g + "Graph";
            graphs.add(field);
            type.addField(FieldSpec.builder(CAPTURED, field, PRIVATE, FINAL)
                    .addJavadoc("{@code $L} of the planned size, captured once and replayed.\n", g).build());
            m.addStatement("$L = new $T(ctx, () -> $L($L))", field, CAPTURED, g,
                    g.equals("infer") ? "PREDICT_BATCH" : "MAX_BATCH");
        }
        m.addStatement("ctx.zero(readback)");
        m.addStatement("deviceStale = true");
        type.addMethod(MethodSpec.methodBuilder("floats").addModifiers(PRIVATE, STATIC).returns(FloatBuffer.class)
                .addJavadoc("A direct host buffer of {@code count} floats, which uploads and downloads copy from.\n")
                .addParameter(int.class, "count")
                .addStatement("return $T.allocateDirect(count * 4).order($T.nativeOrder()).asFloatBuffer()", ByteBuffer.class,
                        ByteOrder.class).build());
        type.addMethod(MethodSpec.methodBuilder("ints").addModifiers(PRIVATE, STATIC).returns(IntBuffer.class)
                .addJavadoc("A direct host buffer of {@code count} ints (labels, token ids).\n")
                .addParameter(int.class, "count")
                .addStatement("return $T.allocateDirect(count * 4).order($T.nativeOrder()).asIntBuffer()", ByteBuffer.class,
                        ByteOrder.class).build());
        return m.build();
    }

    /** A program's calls on the first {@code n} examples; a step's copies its loss into the read-back floats. */
    private MethodSpec program(String name, List<CodeBlock> body, String loss) {
        MethodSpec.Builder m = MethodSpec.methodBuilder(name).addModifiers(PRIVATE).addParameter(int.class, "n")
                .addJavadoc("Queues the $L program's calls on the first {@code n} examples of its input views.\n", name);
        body.forEach(m::addCode);
        if (loss != null) {
            m.addStatement("ctx.copy($L.slice(0, 1), readback.slice(0, 1))", loss);
        }
        return m.build();
    }

    private MethodSpec update(Graph train, ProgramEmitter trainer) {
        MethodSpec.Builder m = MethodSpec.methodBuilder("update").addModifiers(PRIVATE)
                .addJavadoc("Queues the step's gate, then the clipping and the optimizer's update of every parameter, which\n")
                .addJavadoc("do nothing in a step the gate skips.\n");
        m.addComment("The CPU step's checks and steps++, on the device: whether the update applies, and its scalars.");
        m.addStatement("$T.gate(ctx, readback, clipScratch.slice($T.normOffset(), 1), lr, gate, $L, scalars)", OPTIMIZERS,
                CLIPPING, CudaUpdates.stepScalars(optimizer));
        m.addStatement("$T apply = $T.applyFlag(gate)", DEV_BUF, OPTIMIZERS);
        if (clipping.maxNorm() != null) {
            m.addComment("clip_norm: one factor for all gradients when their global L2 norm exceeds $L", clipping.maxNorm());
            m.addStatement("$T.scale(ctx, gradients, GRADIENT_SIZES, clipScratch, apply)", CLIPPING);
        }
        if (clipping.maxValue() != null) {
            m.addComment("clip_value: every gradient element clamped to [-$L, $L]", clipping.maxValue(),
                    clipping.maxValue());
            m.addStatement("$T.clipValue(ctx, gradients, GRADIENT_SIZES, $Lf, apply)", CLIPPING,
                    clipping.maxValue().floatValue());
        }
        m.addComment("$L", optimizer.describe());
        gradients(train).forEach((param, g) -> m.addStatement("$L", CudaUpdates.update(optimizer, paramFields.get(param),
                trainer.field(g.id()), stateFields.get(param), g.count())));
        return m.build();
    }

    /** A parameter's gradient: its value in the training program and its elements. */
    private record Gradient(int id, int count) {}

    /** Every parameter's gradient, by parameter, in the order of the training program's outputs. */
    private Map<String, Gradient> gradients(Graph train) {
        Map<String, Node> byName = new LinkedHashMap<>();
        params.forEach(p -> byName.put(((Param) p.op()).name(), p));
        Map<String, Gradient> gradients = new LinkedHashMap<>();
        train.outputs().forEach((name, id) -> {
            if (name.startsWith(Differentiator.GRADIENT_PREFIX)) {
                String param = name.substring(Differentiator.GRADIENT_PREFIX.length());
                gradients.put(param, new Gradient(id, Sizes.maxCount(byName.get(param).type(), 1)));
            }
        });
        return gradients;
    }

    /** Uploads a step's inputs from {@code batch} into the program's views, through the staging buffers. */
    private void stageStep(MethodSpec.Builder m, ProgramEmitter program) {
        for (Signature.Tensor t : signature.stepInputs()) {
            String field = program.inputField(t.name());
            if (field == null) {
                continue;
            }
            String count = PredictMethods.times("n", t.size());
            m.addStatement("$L.put(0, batch.$L($S), 0, $L)", stage(t.name()), t.ints() ? "ints" : "floats", t.name(), count);
            m.addStatement("ctx.upload($L.slice(0, $L), $L.slice(0, $L))", stage(t.name()), count, field, count);
        }
    }

    private MethodSpec evaluateStep(ProgramEmitter program) {
        MethodSpec.Builder m = MethodSpec.methodBuilder("evaluateStep").returns(RuntimeNames.STEP_RESULT)
                .addJavadoc("{@code evaluateStep} on the device, with one read-back, after every started step.\n")
                .addParameter(RuntimeNames.INPUTS, "batch").addParameter(int.class, "count");
        JavaGenerator.enterOwner(m);
        m.addStatement("batch.checkBatch(STEP_INPUTS, count, MAX_BATCH)");
        m.addStatement("settle()");
        m.addStatement("prepare()");
        m.addStatement("int n = count");
        stageStep(m, program);
        m.beginControlFlow("if (n == MAX_BATCH)").addStatement("evaluateGraph.run()")
                .nextControlFlow("else").addStatement("evaluate(n)").endControlFlow();
        m.addStatement("ctx.download(readback, hostReadback)");
        m.addStatement("float loss = hostReadback.get(0)");
        m.addStatement("int correct = (int) hostReadback.get(1)");
        if (program.judgedLabels() == null) {
            m.addStatement("return new $T((double) loss * n, correct)", RuntimeNames.STEP_RESULT);
        } else {
            m.addStatement("return new $T((double) loss * n, correct, (int) hostReadback.get(2), true)",
                    RuntimeNames.STEP_RESULT);
        }
        JavaGenerator.leave(m);
        return m.build();
    }

    private boolean dropout(Graph train) {
        return train.nodes().stream().anyMatch(n -> n.op() instanceof DropoutMask);
    }

    /** Downloads the parameters, optimizer state and dropout generator into the host's, if training changed them. */
    private MethodSpec syncHost(Graph train) {
        MethodSpec.Builder m = MethodSpec.methodBuilder("syncHost")
                .addJavadoc("Makes the host's parameters, optimizer state and dropout generator those of the device.\n");
        JavaGenerator.enterOwner(m);
        m.addStatement("settle()");
        m.beginControlFlow("if (!hostStale)").addStatement("return").endControlFlow();
        m.addStatement("ctx.bind()");
        for (String f : allFields()) {
            m.addStatement("ctx.download($L, owner.$L)", f, f);
        }
        if (dropout(train)) {
            m.addStatement("owner.rng.setState($T.state(ctx, rng))", DROPOUT);
        }
        m.addStatement("hostStale = false");
        JavaGenerator.leave(m);
        return m.build();
    }

    /** Uploads the host's parameters, optimizer state and dropout generator, if they changed. */
    private MethodSpec prepare(Graph train) {
        MethodSpec.Builder m = MethodSpec.methodBuilder("prepare").addModifiers(PRIVATE)
                .addJavadoc("Binds the context to this thread and uploads what the host changed since the last call, and\n")
                .addJavadoc("the gate's state when it is stale; called with no step in flight.\n");
        m.addStatement("ctx.bind()");
        m.beginControlFlow("if (deviceStale)");
        for (String f : allFields()) {
            m.addStatement("ctx.upload(owner.$L, $L)", f, f);
        }
        if (dropout(train)) {
            m.addStatement("$T.setState(ctx, rng, owner.rng.state())", DROPOUT);
        }
        m.addStatement("deviceStale = false");
        m.addStatement("gateStale = true");
        m.endControlFlow();
        m.beginControlFlow("if (gateStale)");
        m.addComment("The policy, the step counter from the host's (a checkpoint may have changed it), no latched stop.");
        m.addStatement("hostGate.put(0, $T.gateState(policy, owner.steps))", OPTIMIZERS);
        m.addStatement("ctx.upload(hostGate, gate)");
        m.addStatement("gateStale = false");
        m.endControlFlow();
        return m.build();
    }

    private List<String> allFields() {
        List<String> all = new ArrayList<>(paramFields.values());
        stateFields.values().forEach(all::addAll);
        return all;
    }
}
