package org.dnnc.compiler.codegen;

import static javax.lang.model.element.Modifier.FINAL;
import static javax.lang.model.element.Modifier.PRIVATE;
import static javax.lang.model.element.Modifier.PUBLIC;
import static javax.lang.model.element.Modifier.STATIC;

import com.palantir.javapoet.AnnotationSpec;
import com.palantir.javapoet.ArrayTypeName;
import com.palantir.javapoet.ClassName;
import com.palantir.javapoet.CodeBlock;
import com.palantir.javapoet.FieldSpec;
import com.palantir.javapoet.JavaFile;
import com.palantir.javapoet.MethodSpec;
import com.palantir.javapoet.TypeName;
import com.palantir.javapoet.TypeSpec;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import javax.lang.model.element.Modifier;
import org.dnnc.compiler.Compiler;
import org.dnnc.compiler.autodiff.AutodiffException;
import org.dnnc.compiler.autodiff.Differentiator;
import org.dnnc.compiler.autodiff.Program;
import org.dnnc.compiler.diag.SourceFile;
import org.dnnc.compiler.ir.Graph;
import org.dnnc.compiler.ir.Node;
import org.dnnc.compiler.ir.Param;
import org.dnnc.compiler.lowering.LoweredProgram;
import org.dnnc.compiler.ir.Origin;
import org.dnnc.compiler.lowering.Lowering;
import org.dnnc.compiler.memory.MemoryPlan;
import org.dnnc.compiler.memory.PredictBatch;
import org.dnnc.compiler.sema.GeneratedClassNames;
import org.dnnc.compiler.sema.NetworkModel;
import org.dnnc.compiler.sema.TrainConfig;
import org.dnnc.compiler.target.CpuTarget;
import org.dnnc.compiler.target.CudaTarget;
import org.dnnc.compiler.target.Target;

/**
 * Emits one Java class per network: it owns two off-heap arenas (parameters with optimizer
 * state, and one workspace shared by the training, evaluation and inference programs, which never
 * run at once), carves a view per planned value, and runs each program as straight-line kernel
 * calls with constant shapes. Nothing is allocated per step.
 */
public final class JavaGenerator {
    private static final String GRADIENT = Differentiator.GRADIENT_PREFIX;

    private final NetworkModel model;
    private final SourceFile source;
    private final ClassName className;
    private final ClassName builderName;
    private final TypeSpec.Builder type;
    /**
     * Each parameter's name as a Java identifier, unique: {@code a_b.dense1} and {@code a.b_dense1}
     * would read alike. Its field and its optimizer state's fields are named from it.
     */
    private final Map<String, String> paramStems = new LinkedHashMap<>();
    private final Map<String, String> paramFields = new LinkedHashMap<>();
    private final Lowering lowering;
    /** The same network lowered for the CUDA target, when the class is compiled for it too; else null. */
    private final Lowering cudaLowering;
    private final List<Node> params;
    private final int maxBatch;

    /** Whether the programs have convolutions or poolings, which change how threads are used. */
    private boolean hasConvolutions;

    /** Whether views live in arrays instead of named fields: see {@link Storage}. */
    private final boolean indexed;

    /** The optimizer state that checkpoints save and restore; empty without a train section. */
    private Optional<ParameterIo.TrainingState> trainingState = Optional.empty();

    private JavaGenerator(Lowering lowering, Lowering cudaLowering, SourceFile source) {
        this.model = lowering.model();
        this.lowering = lowering;
        this.cudaLowering = cudaLowering;
        this.source = source;
        this.className = ClassName.get(model.packageName(), model.name());
        this.builderName = className.nestedClass(GeneratedClassNames.BUILDER);
        this.type = TypeSpec.classBuilder(className);
        this.params = allParams(lowering);
        this.maxBatch = lowering.maxBatch();
        this.indexed = Storage.indexed(lowering, params.size());
        Set<String> stems = new HashSet<>();
        for (int k = 0; k < params.size(); k++) {
            String name = ((Param) params.get(k).op()).name();
            String stem = JavaNames.unique(JavaNames.identifier(name), stems);
            paramStems.put(name, stem);
            paramFields.put(name, indexed ? Storage.element("w", k) : "w_" + stem);
        }
    }

    /**
     * The parameters of every program, the training program's first: an output that no loss reads
     * has parameters that only evaluation and inference use.
     */
    private static List<Node> allParams(Lowering lowering) {
        List<Node> all = new ArrayList<>();
        Set<String> names = new HashSet<>();
        List<LoweredProgram> programs = new ArrayList<>();
        lowering.program(Program.Kind.TRAIN).ifPresent(programs::add);
        lowering.program(Program.Kind.EVALUATE).ifPresent(programs::add);
        programs.add(lowering.inference());
        for (LoweredProgram program : programs) {
            for (Node p : program.graph().params()) {
                if (names.add(((Param) p.op()).name())) {
                    all.add(p);
                }
            }
        }
        return all;
    }

    /**
     * The Java source of {@code model}'s class for the CPU.
     *
     * @throws CodegenException if the network uses something the generator cannot emit yet
     */
    public static JavaFile generate(NetworkModel model, SourceFile source) throws CodegenException {
        return generate(model, source, true);
    }

    /**
     * The Java source of {@code model}'s class for the CPU, with the fusion passes or without them
     * ({@code fuse} false: every op is its own kernel call, for comparison and debugging).
     *
     * @throws CodegenException if the network uses something the generator cannot emit yet
     */
    public static JavaFile generate(NetworkModel model, SourceFile source, boolean fuse) throws CodegenException {
        return generate(model, source, fuse, Set.of(CpuTarget.INSTANCE));
    }

    /**
     * The Java source of {@code model}'s class for {@code targets}: the CPU always (its builder's
     * default device), and with {@link CudaTarget} a nested class that runs the same programs on a
     * CUDA device when the builder chooses {@code Device.CUDA}.
     *
     * @throws CodegenException if the network uses something one of the targets cannot emit yet
     */
    public static JavaFile generate(NetworkModel model, SourceFile source, boolean fuse, Set<Target> targets)
            throws CodegenException {
        try {
            Lowering cpu = Lowering.of(model, CpuTarget.INSTANCE, fuse);
            Lowering cuda = targets.contains(CudaTarget.INSTANCE) ? Lowering.of(model, CudaTarget.INSTANCE, fuse) : null;
            return new JavaGenerator(cpu, cuda, source).emit();
        } catch (AutodiffException e) {
            throw new CodegenException(e.getMessage(), e.origin());
        }
    }

    /**
     * The Java source of the class that runs {@code lowering}'s programs: a trainable network when it
     * has a train section, else one that only loads weights and predicts.
     *
     * @throws CodegenException if the network uses something the target cannot emit yet
     */
    public static JavaFile generate(Lowering lowering, SourceFile source) throws CodegenException {
        if (lowering.target() == CudaTarget.INSTANCE) {
            // A CUDA class is the CPU class with a device half: the same network lowered for both.
            return generate(lowering.model(), source, lowering.fused(), Set.of(CpuTarget.INSTANCE, CudaTarget.INSTANCE));
        }
        return new JavaGenerator(lowering, null, source).emit();
    }

    private JavaFile emit() throws CodegenException {
        List<MemoryPlan> plans = new ArrayList<>();
        for (Program.Kind kind : Program.Kind.values()) {
            lowering.program(kind).ifPresent(p -> plans.add(p.plan()));
        }
        ClassLimits.checkEarly(model, plans, paramFields.keySet());
        if (!lowering.trains()) {
            if (cudaLowering != null) {
                throw new CodegenException("the cuda target cannot generate a class without a train section yet: compile"
                        + " it for the cpu target only", new Origin(model.span(), ""));
            }
            return emitInferenceOnly();
        }
        LoweredProgram trainProgram = lowering.program(Program.Kind.TRAIN).orElseThrow();
        Graph train = trainProgram.graph();
        Optimizer optimizer = Optimizer.of(config().optimizer(), setting("weight_decay"), setting("l1"));
        Map<String, Integer> gradients = new LinkedHashMap<>();
        train.outputs().forEach((name, id) -> {
            if (name.startsWith(GRADIENT)) {
                gradients.put(name.substring(GRADIENT.length()), id);
            }
        });
        Map<String, List<String>> stateFields = new LinkedHashMap<>();
        Map<String, Integer> paramIndex = new HashMap<>();
        paramFields.keySet().forEach(name -> paramIndex.put(name, paramIndex.size()));
        for (String name : gradients.keySet()) {
            int k = paramIndex.get(name);
            stateFields.put(name, optimizer.stateNames().stream()
                    .map(s -> indexed ? Storage.element(s, k) : s + "_" + paramStems.get(name)).toList());
        }
        trainingState = Optional.of(new ParameterIo.TrainingState(optimizer.name(), optimizer.checkpointSlots(),
                stateFields));
        // Before any kernel call is emitted: their sizes are Java ints only when the arenas fit.
        ArenaLimits.check(lowering, parameterBytes(stateFields), optimizer.stateNames().size());
        LoweredProgram inference = lowering.inference();
        Graph infer = inference.graph();
        int predictBatch = lowering.predictBatch();
        Geometries geometries = new Geometries();
        ProgramEmitter trainer = emitter("t", trainProgram, geometries);
        ProgramEmitter evaluator = emitter("e", lowering.program(Program.Kind.EVALUATE).orElseThrow(), geometries);
        ProgramEmitter predictor = emitter("i", inference, geometries);
        List<CodeBlock> trainBody = trainer.body();
        List<CodeBlock> evalBody = evaluator.body();
        List<CodeBlock> inferBody = predictor.body();
        hasConvolutions = geometries.hasConvolutions();
        Signature signature = Signature.of(model, train, infer);
        String file = source.fileName();

        long workspace = lowering.workspaceBytes();

        type.addModifiers(PUBLIC, FINAL)
                .addSuperinterface(RuntimeNames.TRAINABLE_NETWORK)
                .addAnnotation(generatedAnnotation(file))
                .addJavadoc("The network {@code $L} from {@code $L}, compiled by dnnc.\n\n", model.name(), file)
                .addJavadoc("<p>Train it with {@link #fit} or {@code org.dnnc.runtime.train.Trainer}, predict every\n")
                .addJavadoc("output with {@link #predict($T)}, and close it to free its native memory. One call at a\n",
                        RuntimeNames.INPUTS)
                .addJavadoc("time: a call begun on another thread while one runs (or while {@link #fit} runs) throws\n")
                .addJavadoc("{@code IllegalStateException}; {@link #predictor()} serves many threads. {@link #close()}\n")
                .addJavadoc("waits for a call in flight, and every call after it throws.\n");

        addIdentity();
        SignatureMembers.addConstants(type, signature, lowering.trains());
        constant("MAX_BATCH", int.class, CodeBlock.of("$L", maxBatch), "The most examples one step takes: the plan's batch.");
        constant("PREDICT_BATCH", int.class, CodeBlock.of("$L", predictBatch),
                "Examples per pass of predict: the largest multiple of MAX_BATCH, up to " + PredictBatch.LIMIT
                        + ", whose plan fits in the training workspace.");
        constant("LEARNING_RATE", double.class, CodeBlock.of("$L", optimizer.learningRate()),
                "The optimizer's learning rate from the train section, before any schedule.");
        constant("EPOCHS", int.class, CodeBlock.of("$L", config().epochs()), "Epochs from the train section.");
        constant("WORKSPACE_BYTES", long.class, CodeBlock.of("$LL", workspace),
                "The planned workspace: the largest of the three programs' arenas.");

        addStorageFields();
        if (indexed) {
            optimizer.stateNames().forEach(s -> type.addField(Storage.array(s, params.size())));
        } else {
            stateFields.values().forEach(fields -> fields.forEach(f -> type.addField(RuntimeNames.BUF, f, PRIVATE, FINAL)));
        }
        Clipping clipping = Clipping.of(config());
        SparseGradients sparse = SparseGradients.of(train, gradients, trainProgram.plan().batch());
        sparse.fieldSpecs().forEach(type::addField);
        // The finiteness check and clipping work on all gradients together: one array of their views,
        // filled once (by helpers in a large class).
        type.addField(ArrayTypeName.of(RuntimeNames.BUF), "gradients", PRIVATE, FINAL);
        List<CodeBlock> fills = new ArrayList<>();
        for (int gradient : gradients.values()) {
            fills.add(CodeBlock.builder().addStatement("gradients[$L] = $L", fills.size(), trainer.field(gradient)).build());
        }
        CodeBlock gradientViews = CodeBlock.builder()
                .addStatement("gradients = new $T[$L]", RuntimeNames.BUF, gradients.size())
                .add(new MethodParts("gradientViews").inline(type, fills)).build();
        if (clipping.any() || sparse.any()) {
            Map<String, Node> paramNodes = new HashMap<>();
            params.forEach(p -> paramNodes.put(((Param) p.op()).name(), p));
            // A sparse gradient's entry changes every step: then the sizes are the instance's.
            FieldSpec.Builder sizes = sparse.any() ? FieldSpec.builder(int[].class, gradientSizes(sparse), PRIVATE, FINAL)
                    : FieldSpec.builder(int[].class, gradientSizes(sparse), PRIVATE, STATIC, FINAL);
            type.addField(sizes.initializer("{$L}", gradients.keySet().stream()
                            .map(name -> Integer.toString(Sizes.maxCount(paramNodes.get(name).type(), 1)))
                            .collect(Collectors.joining(", ")))
                    .addJavadoc("Elements of each parameter gradient, in the order of {@code gradients}.\n").build());
        }
        geometries.fieldSpecs().forEach(type::addField);
        trainer.fieldSpecs().forEach(type::addField);
        evaluator.fieldSpecs().forEach(type::addField);
        predictor.fieldSpecs().forEach(type::addField);

        Map<String, ProgramEmitter> programs = new LinkedHashMap<>();
        programs.put("The training program's values", trainer);
        programs.put("The evaluation program's values (no dropout, with the loss)", evaluator);
        programs.put("The inference program's values", predictor);
        type.addMethod(constructor(programs, stateFields, workspace, gradientViews));
        addCreation();
        type.addMethod(trainStep(trainer, trainBody, signature, optimizer, clipping, sparse, gradients, stateFields));
        type.addMethod(evaluateStep(evaluator, evalBody, signature));
        new PredictMethods(type).add(predictor, inferBody, infer, signature);
        new PredictorMethods(type, className).add();
        GenerateMethod.addIfDecoder(type, model.graph());
        addTraining(optimizer, signature);
        if (cudaLowering != null) {
            addCudaHalf(optimizer, signature, stateFields, clipping);
        }
        return finish(signature);
    }

    /**
     * The nested {@code OnCuda} class and the field that holds it when the builder chose CUDA; what
     * the CUDA half cannot do yet is refused here, at the network, by name. The CPU's sparse embedding
     * gradients stay the CPU's: the CUDA plan keeps them dense, which updates the same rows by the same
     * amounts.
     */
    private void addCudaHalf(Optimizer optimizer, Signature signature, Map<String, List<String>> stateFields,
            Clipping clipping) throws CodegenException {
        Origin origin = new Origin(model.span(), "");
        if (indexed) {
            throw new CodegenException("the cuda target cannot generate a class this large yet (its views would be"
                    + " held in arrays): compile it for the cpu target only", origin);
        }
        type.addType(new CudaClass(cudaLowering, className, params, paramFields, stateFields, optimizer, signature,
                clipping, source.fileName()).spec());
        type.addField(FieldSpec.builder(CudaClass.type(className), "cuda", PRIVATE, FINAL)
                .addJavadoc("The device half when the builder chose {@code Device.CUDA}; null on the CPU.\n").build());
        DeviceDispatch.addDeviceMethods(type);
    }

    private ProgramEmitter emitter(String prefix, LoweredProgram program, Geometries geometries) {
        return new ProgramEmitter(prefix, program.graph(), program.plan(), paramFields, source.fileName(), geometries,
                lowering.target().kernels(), indexed);
    }

    /** A network without a train section: it loads weights and predicts, with no optimizer state or training step. */
    private JavaFile emitInferenceOnly() throws CodegenException {
        ArenaLimits.check(lowering, parameterBytes(Map.of()), 0);
        LoweredProgram inference = lowering.inference();
        Geometries geometries = new Geometries();
        ProgramEmitter predictor = emitter("i", inference, geometries);
        List<CodeBlock> inferBody = predictor.body();
        hasConvolutions = geometries.hasConvolutions();
        Signature signature = Signature.ofInference(model, inference.graph());
        String file = source.fileName();
        type.addModifiers(PUBLIC, FINAL)
                .addSuperinterface(RuntimeNames.NETWORK)
                .addAnnotation(generatedAnnotation(file))
                .addJavadoc("The network {@code $L} from {@code $L}, compiled by dnnc. It has no train section: load its\n",
                        model.name(), file)
                .addJavadoc("weights with {@link #load}, predict with {@link #predict($T)}, and close it to free its\n",
                        RuntimeNames.INPUTS)
                .addJavadoc("native memory. One call at a time: a call begun on another thread while one\n")
                .addJavadoc("runs throws {@code IllegalStateException}; {@link #predictor(java.nio.file.Path)} serves\n")
                .addJavadoc("many threads. {@link #close()} waits for a call in flight, and every call after it throws.\n");
        addIdentity();
        SignatureMembers.addConstants(type, signature, lowering.trains());
        constant("MAX_BATCH", int.class, CodeBlock.of("$L", maxBatch), "The most examples one pass takes: the plan's batch.");
        constant("PREDICT_BATCH", int.class, CodeBlock.of("$L", lowering.predictBatch()), "Examples per pass of predict.");
        constant("WORKSPACE_BYTES", long.class, CodeBlock.of("$LL", lowering.workspaceBytes()),
                "The planned workspace of the inference program.");
        addStorageFields();
        geometries.fieldSpecs().forEach(type::addField);
        predictor.fieldSpecs().forEach(type::addField);
        type.addMethod(constructor(Map.of("The inference program's values", predictor), Map.of(),
                lowering.workspaceBytes(), CodeBlock.of("")));
        addCreation();
        new PredictMethods(type).add(predictor, inferBody, inference.graph(), signature);
        new PredictorMethods(type, className).add();
        return finish(signature);
    }

    private void addIdentity() {
        constant("NAME", String.class, CodeBlock.of("$S", model.name()), "The network's name in its source.");
        constant("SOURCE_SHA256", String.class, CodeBlock.of("$S", sha256(source.text())),
                "The SHA-256 of the source this class was generated from.");
    }

    /** The context, the two arenas, the step counter and the parameters' views; dropout's generator when training. */
    private void addStorageFields() {
        type.addField(RuntimeNames.CPU_CONTEXT, "context", PRIVATE, FINAL);
        type.addField(RuntimeNames.ARENA, "parameters", PRIVATE, FINAL);
        type.addField(RuntimeNames.ARENA, "workspace", PRIVATE, FINAL);
        type.addField(FieldSpec.builder(boolean.class, "sharesParameters", PRIVATE, FINAL)
                .addJavadoc("Whether {@code parameters} belong to another instance (this one serves a {@code Predictor}).\n")
                .build());
        if (lowering.trains()) {
            type.addField(RuntimeNames.RNG, "rng", PRIVATE, FINAL);
        }
        type.addField(long.class, "steps", PRIVATE);
        if (lowering.trains()) {
            type.addField(long.class, "epochs", PRIVATE);
            type.addField(FieldSpec.builder(Boolean.class, "progress", PRIVATE, FINAL)
                    .addJavadoc("Whether fit draws a progress bar; {@code null}: when standard output is a terminal.\n")
                    .build());
            type.addField(boolean.class, "updateOnNonFinite", PRIVATE);
        }
        type.addField(int.class, "batch", PRIVATE, FINAL);
        if (indexed) {
            type.addField(Storage.array("w", params.size()));
            return;
        }
        for (String f : paramFields.values()) {
            type.addField(RuntimeNames.BUF, f, PRIVATE, FINAL);
        }
    }

    /** {@code builder()}, the builder class, and the parameters' initialization. */
    private void addCreation() throws CodegenException {
        type.addMethod(MethodSpec.methodBuilder("builder").addModifiers(PUBLIC, STATIC)
                .returns(builderName)
                .addJavadoc("Starts configuring a new instance.\n")
                .addStatement("return new $T()", builderName).build());
        type.addType(new BuilderType(model, className, builderName, lowering.trains(), hasConvolutions, maxBatch,
                cudaLowering != null).spec());
        type.addMethod(initialize());
        if (lowering.trains()) {
            StartingWeights.of(config()).ifPresent(d -> type.addMethod(StartingWeights.method(d)));
        }
    }

    /**
     * What every class ends with (accessors, parameter copies, checkpoints, checks), as a file.
     *
     * @throws CodegenException if the class would not fit a class file (see {@link ClassLimits})
     */
    private JavaFile finish(Signature signature) throws CodegenException {
        SignatureMembers.addAccessors(type, signature, lowering.trains());
        addLifecycle();
        new ParameterIo(type, params, paramFields, trainingState).add();
        // java.lang types are imported by name like the others: a class of the same package called
        // `Math` or `String` (another network, say) would hide them from an implicit import.
        TypeSpec spec = type.build();
        JavaFile file = JavaFile.builder(model.packageName(), cudaLowering == null ? spec : DeviceDispatch.apply(spec))
                .addFileComment("Generated by dnnc $L from $L. Do not edit: change the .dnn file and recompile.",
                        Compiler.version(), source.fileName())
                .indent("    ")
                .build();
        ClassLimits.check(file.toString(), model);
        return file;
    }

    private AnnotationSpec generatedAnnotation(String file) {
        return AnnotationSpec.builder(ClassName.get("javax.annotation.processing", "Generated"))
                .addMember("value", "$S", "org.dnnc.compiler " + Compiler.version())
                .addMember("comments", "$S", "from " + file + ", sha256 " + sha256(source.text()))
                .build();
    }

    private TrainConfig config() {
        return model.train();
    }

    private double setting(String name) {
        Object v = config().settings().get(name);
        return v instanceof Number n ? n.doubleValue() : 0;
    }

    private void constant(String name, Class<?> t, CodeBlock value, String doc) {
        type.addField(FieldSpec.builder(t, name, PUBLIC, STATIC, FINAL).initializer(value).addJavadoc(doc + "\n").build());
    }

    /** The parameter arena's size: each parameter and then its optimizer state, as {@link #constructor} carves them. */
    private long parameterBytes(Map<String, List<String>> stateFields) {
        long bytes = 0;
        for (Node p : params) {
            long slot = lowering.target().memory().align(4L * Sizes.maxCount(p.type(), 1));
            bytes += slot * (1 + stateFields.getOrDefault(((Param) p.op()).name(), List.of()).size());
        }
        return bytes;
    }

    /** @param programs each program's emitter, under the comment that introduces its views */
    private MethodSpec constructor(Map<String, ProgramEmitter> programs, Map<String, List<String>> stateFields,
            long workspace, CodeBlock gradientViews) {
        type.addMethod(MethodSpec.constructorBuilder().addModifiers(PRIVATE).addParameter(builderName, "builder")
                .addStatement("this(builder, null)").build());
        MethodSpec.Builder m = MethodSpec.constructorBuilder().addModifiers(PRIVATE)
                .addJavadoc("An instance with parameters of its own, or, for a {@code Predictor}, reading those of\n")
                .addJavadoc("{@code shared} (which it never writes or frees) with a workspace and context of its own.\n")
                .addParameter(builderName, "builder").addParameter(className, "shared");
        long offset = 0;
        List<CodeBlock> views = new ArrayList<>();
        for (Node p : params) {
            Param param = (Param) p.op();
            int count = Sizes.maxCount(p.type(), 1);
            views.add(CodeBlock.builder().addStatement("$L = parameters.floats($LL, $L)", paramFields.get(param.name()),
                    offset, count).build());
            offset += lowering.target().memory().align(4L * count);
            for (String state : stateFields.getOrDefault(param.name(), List.of())) {
                views.add(CodeBlock.builder().addStatement("$L = parameters.floats($LL, $L)", state, offset, count)
                        .build());
                offset += lowering.target().memory().align(4L * count);
            }
        }
        for (var program : programs.entrySet()) {
            views.add(CodeBlock.of("// $L\n", program.getKey()));
            views.addAll(program.getValue().views("workspace"));
        }
        m.addStatement("$T.ensureLoaded()", RuntimeNames.BLAS);
        if (hasConvolutions) {
            // Convolutions run best with the batch split over two cores and one BLAS thread each.
            m.addStatement("context = $T.create($T.min(builder.threads, $T.MAX_THREADS), NAME)",
                    RuntimeNames.CPU_CONTEXT, Math.class, RuntimeNames.WORKERS);
        } else {
            // Up to two threads the kernels' own split pays best; beyond that OpenBLAS threads each GEMM.
            m.addStatement("context = $T.create(builder.threads, NAME)", RuntimeNames.CPU_CONTEXT);
        }
        m.addComment("Parameters and optimizer state: $L bytes; the programs' workspace: $L bytes.", offset, workspace);
        m.addStatement("parameters = shared == null ? new $T($LL) : shared.parameters", RuntimeNames.ARENA, offset);
        m.addStatement("sharesParameters = shared != null");
        m.addStatement("workspace = new $T(WORKSPACE_BYTES)", RuntimeNames.ARENA);
        // Named views are final, so the constructor assigns them itself; Storage keeps them few enough for that.
        m.addCode(indexed ? new MethodParts("views").inline(type, views) : CodeBlock.join(views, ""));
        m.addCode(gradientViews);
        m.addStatement("batch = builder.batch");
        if (lowering.trains()) {
            m.addStatement("progress = builder.progress");
        }
        if (lowering.trains()) {
            m.addStatement("rng = new $T(builder.seed ^ 0x5DEECE66DL)", RuntimeNames.RNG);
        }
        m.beginControlFlow("if (shared == null)");
        m.addStatement("initialize(builder.seed)");
        m.endControlFlow();
        if (cudaLowering != null && lowering.trains()) {
            // Last: the device half uploads the initialized parameters; if it cannot open, nothing leaks.
            m.beginControlFlow("if (builder.device == $T.CUDA)", RuntimeNames.DEVICE);
            m.beginControlFlow("try");
            m.addStatement("cuda = $T.open(this, builder.tf32)", CudaClass.type(className));
            m.nextControlFlow("catch ($T | $T e)", RuntimeException.class, Error.class);
            m.addStatement("close()");
            m.addStatement("throw e");
            m.endControlFlow();
            m.nextControlFlow("else");
            m.addStatement("cuda = null");
            m.endControlFlow();
        }
        return m.build();
    }

    private MethodSpec initialize() throws CodegenException {
        MethodSpec.Builder m = MethodSpec.methodBuilder("initialize").addModifiers(PRIVATE).addParameter(long.class, "seed");
        int index = 0;
        List<CodeBlock> inits = new ArrayList<>();
        for (Node p : params) {
            Param param = (Param) p.op();
            CodeBlock seed = CodeBlock.of("$T.streamSeed(seed, $L)", RuntimeNames.RNG, index);
            inits.add(CodeBlock.builder().addStatement("$L", Initializers.call(param.init(), paramFields.get(param.name()),
                    Sizes.perExample(p.type()), seed)).build());
            index++;
        }
        m.addCode(new MethodParts("initialize").parameter(TypeName.LONG, "seed").inline(type, inits));
        return m.build();
    }

    private MethodSpec trainStep(ProgramEmitter program, List<CodeBlock> body, Signature signature, Optimizer optimizer,
            Clipping clipping, SparseGradients sparse, Map<String, Integer> gradients,
            Map<String, List<String>> stateFields) {
        Map<String, Node> paramNodes = new HashMap<>();
        params.forEach(p -> paramNodes.put(((Param) p.op()).name(), p));
        List<CodeBlock> updates = new ArrayList<>();
        Map<String, String> gradientFields = new LinkedHashMap<>();
        for (var g : gradients.entrySet()) {
            String param = paramFields.get(g.getKey());
            String grad = program.field(g.getValue());
            gradientFields.put(g.getKey(), grad);
            updates.add(sparse.has(g.getKey()) ? sparse.update(g.getKey(), param, grad)
                    : CodeBlock.builder().addStatement("$L", optimizer.update(param, grad, stateFields.get(g.getKey()),
                            Sizes.maxCount(paramNodes.get(g.getKey()).type(), 1))).build());
        }
        List<CodeBlock> both = new ArrayList<>(body);
        both.addAll(updates);
        boolean inline = MethodParts.fit(both);
        MethodSpec.Builder m = stepSignature("trainStep")
                .addParameter(double.class, "learningRate")
                .addJavadoc("One step of training on the first {@code count} examples: forward, backward and the optimizer update.\n");
        enter(m);
        m.addStatement("batch.checkBatch(STEP_INPUTS, count, MAX_BATCH)");
        m.addStatement("int n = count");
        m.addStatement("int correct = 0");
        stage(m, program, signature);
        countJudged(m, program);
        m.addCode(inline ? CodeBlock.join(body, "") : bodyParts("trainStep").inline(type, body));
        m.addStatement("float loss = $L.get(0)", program.lossField());
        m.beginControlFlow("if (!$T.isFinite(loss) && !updateOnNonFinite)", Float.class);
        m.addComment("A diverged step must not spoil the weights: no update, and the step does not count.");
        m.addStatement("return $L", stepResult(program, "loss", true));
        m.endControlFlow();
        String sizes = gradientSizes(sparse);
        m.addCode(sparse.sizes(List.copyOf(gradients.keySet()), sizes, clipping.maxNorm() != null, gradientFields));
        m.beginControlFlow("if (!updateOnNonFinite && !$T.allFinite($L))", RuntimeNames.GRADIENT_CHECK,
                sparse.any() ? "gradients, " + sizes : "gradients");
        m.addComment("A gradient that overflowed while the loss stayed finite must not reach the weights either.");
        m.addStatement("return $L", stepResult(program, "loss", false));
        m.endControlFlow();
        m.addCode(clipping.calls("gradients", sizes));
        m.addComment("$L", optimizer.describe());
        m.addStatement("steps++");
        m.addStatement("float lr = (float) learningRate");
        m.addCode(inline ? CodeBlock.join(updates, "")
                : new MethodParts("update").parameter(TypeName.FLOAT, "lr").inline(type, updates));
        m.addStatement("return $L", stepResult(program, "loss", true));
        leave(m);
        return m.build();
    }

    /** The field of the gradients' sizes: the instance's when sparse gradients set theirs each step. */
    private static String gradientSizes(SparseGradients sparse) {
        return sparse.any() ? "gradientSizes" : "GRADIENT_SIZES";
    }

    /**
     * Counts the labels the step judges, when its loss ignores some: before the program runs, whose
     * memory plan may reuse the labels' buffer once the loss has read it.
     */
    private static void countJudged(MethodSpec.Builder m, ProgramEmitter program) {
        CodeBlock judged = program.judgedLabels();
        if (judged != null) {
            m.addStatement("int judged = $L", judged);
        }
    }

    /**
     * What a step returns, from its {@code loss}: with the labels it judged (see {@link
     * #countJudged}) when its loss ignores some, so that accuracy counts only the others.
     */
    private static CodeBlock stepResult(ProgramEmitter program, String loss, boolean finiteGradients) {
        if (program.judgedLabels() == null) {
            return finiteGradients
                    ? CodeBlock.of("new $T((double) $L * n, correct)", RuntimeNames.STEP_RESULT, loss)
                    : CodeBlock.of("new $T((double) $L * n, correct, false)", RuntimeNames.STEP_RESULT, loss);
        }
        return CodeBlock.of("new $T((double) $L * n, correct, judged, $L)", RuntimeNames.STEP_RESULT, loss,
                finiteGradients);
    }

    /** Helpers of a step's program: they read the batch size {@code n} and may count correct examples. */
    private static MethodParts bodyParts(String method) {
        return new MethodParts(method).parameter(TypeName.INT, "n").threading(TypeName.INT, "correct");
    }

    private MethodSpec evaluateStep(ProgramEmitter program, List<CodeBlock> body, Signature signature) {
        MethodSpec.Builder m = stepSignature("evaluateStep")
                .addJavadoc("The loss and accuracy on the first {@code count} examples, without dropout or updates.\n");
        enter(m);
        m.addStatement("batch.checkBatch(STEP_INPUTS, count, MAX_BATCH)");
        m.addStatement("int n = count");
        m.addStatement("int correct = 0");
        stage(m, program, signature);
        countJudged(m, program);
        m.addCode(bodyParts("evaluateStep").inline(type, body));
        m.addStatement("return $L", stepResult(program, program.lossField() + ".get(0)", true));
        leave(m);
        return m.build();
    }

    /**
     * Enters the context, first thing in every method that touches the arenas: the kernels run on
     * this instance's threads, a second thread is refused, and the closed check is made inside the
     * guard, so close() (which waits for the context) cannot free the memory under the call.
     */
    static void enter(MethodSpec.Builder m) {
        m.addStatement("$T.Scope scope = context.enter()", RuntimeNames.CPU_CONTEXT);
        m.beginControlFlow("try");
    }

    /** {@link #enter} in the CUDA half, whose calls take their outer instance's context. */
    static void enterOwner(MethodSpec.Builder m) {
        m.addStatement("$T.Scope scope = owner.context.enter()", RuntimeNames.CPU_CONTEXT);
        m.beginControlFlow("try");
    }

    static void leave(MethodSpec.Builder m) {
        m.nextControlFlow("finally");
        m.addStatement("scope.close()");
        m.endControlFlow();
    }

    private MethodSpec.Builder stepSignature(String name) {
        return MethodSpec.methodBuilder(name).addAnnotation(Override.class).addModifiers(PUBLIC)
                .returns(RuntimeNames.STEP_RESULT)
                .addParameter(RuntimeNames.INPUTS, "batch").addParameter(int.class, "count");
    }

    /** Copies the caller's batch into the program's input buffers. */
    private void stage(MethodSpec.Builder m, ProgramEmitter program, Signature signature) {
        for (Signature.Tensor t : signature.stepInputs()) {
            String field = program.inputField(t.name());
            if (field == null) {
                continue;
            }
            if (t.ints()) {
                m.addStatement("$L.put(0, batch.ints($S), 0, $L)", field, t.name(), PredictMethods.times("n", t.size()));
            } else {
                m.addStatement("$L.data().put(0, batch.floats($S), 0, $L)", field, t.name(), PredictMethods.times("n", t.size()));
            }
        }
    }

    /** The train section's loop as a preconfigured trainer, and fit/evaluate that use it. */
    private void addTraining(Optimizer optimizer, Signature signature) throws CodegenException {
        ClassName trainer = TrainerCode.trainerType();
        ClassName dataset = ClassName.get("org.dnnc.runtime.data", "Dataset");
        ClassName history = ClassName.get("org.dnnc.runtime.train", "History");
        ClassName evaluation = ClassName.get("org.dnnc.runtime.train", "Evaluation");
        ClassName listener = ClassName.get("org.dnnc.runtime.train", "TrainingListener");
        type.addMethod(MethodSpec.methodBuilder("trainer").addModifiers(PUBLIC, STATIC)
                .returns(trainer.nestedClass("Builder"))
                .addJavadoc("A trainer set up as the train section says (epochs, batch, seed, learning rate, schedule,\n")
                .addJavadoc("validation split, early stopping); change any setting before {@code build()}.\n")
                .addStatement("return $L", TrainerCode.builder(config(), optimizer.learningRate(),
                        signature.singleFloatInput() == null ? null : signature.singleFloatInput().name())).build());
        type.addMethod(MethodSpec.methodBuilder("fit").addModifiers(PUBLIC).returns(history)
                .addJavadoc("Trains as the train section says; {@code validation} may be null (then the section's\n")
                .addJavadoc("{@code validation_split}, if any, holds out part of {@code train}).\n")
                .addParameter(dataset, "train").addParameter(dataset, "validation")
                .addParameter(com.palantir.javapoet.ArrayTypeName.of(listener), "listeners").varargs()
                .addStatement("$T.Builder builder = trainer()", trainer)
                .beginControlFlow("if (validation != null)")
                .addStatement("builder.validation(validation)")
                .endControlFlow()
                .beginControlFlow("for ($T listener : listeners)", listener)
                .addStatement("builder.listener(listener)")
                .endControlFlow()
                .beginControlFlow("if (progress != null)")
                .addStatement("builder.progress(progress)")
                .endControlFlow()
                .addStatement("return builder.build().fit(this, train)").build());
        type.addMethod(MethodSpec.methodBuilder("evaluate").addModifiers(PUBLIC).returns(evaluation)
                .addJavadoc("The loss and accuracy on {@code data}, without dropout.\n")
                .addParameter(dataset, "data")
                .addStatement("return $T.builder().batch(MAX_BATCH).learningRate(LEARNING_RATE).build().evaluate(this, data)",
                        trainer).build());
    }

    /** {@code close} and {@code hold}, which every class has. */
    private void addLifecycle() {
        type.addMethod(override("close", void.class)
                .addComment("Waits for a call in flight on another thread: the arenas are freed when none can read them.")
                .addStatement("context.close()")
                .beginControlFlow("if (!sharesParameters)")
                .addStatement("parameters.close()")
                .endControlFlow()
                .addStatement("workspace.close()")
                .build());
        type.addMethod(override("hold", RuntimeNames.HOLD)
                .addJavadoc("Reserves this instance for the calling thread until the hold is closed (see {@code Network.hold}).\n")
                .addStatement("$T.Scope scope = context.enter()", RuntimeNames.CPU_CONTEXT)
                .addStatement("return scope::close").build());
    }

    static MethodSpec.Builder override(String name, java.lang.reflect.Type returns) {
        return MethodSpec.methodBuilder(name).addAnnotation(Override.class).addModifiers(PUBLIC).returns(returns);
    }

    static MethodSpec.Builder override(String name, TypeName returns) {
        return MethodSpec.methodBuilder(name).addAnnotation(Override.class).addModifiers(PUBLIC).returns(returns);
    }

    static String sha256(String text) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java platform has SHA-256", e);
        }
    }
}
