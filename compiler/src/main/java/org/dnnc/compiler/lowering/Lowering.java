package org.dnnc.compiler.lowering;

import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.dnnc.compiler.autodiff.AutodiffException;
import org.dnnc.compiler.autodiff.Differentiator;
import org.dnnc.compiler.autodiff.Frozen;
import org.dnnc.compiler.autodiff.Inference;
import org.dnnc.compiler.autodiff.Program;
import org.dnnc.compiler.ir.Graph;
import org.dnnc.compiler.memory.MemoryPlan;
import org.dnnc.compiler.memory.MemoryPlanner;
import org.dnnc.compiler.memory.PredictBatch;
import org.dnnc.compiler.passes.PassListener;
import org.dnnc.compiler.passes.PassManager;
import org.dnnc.compiler.sema.NetworkModel;
import org.dnnc.compiler.target.Target;

/**
 * The one pipeline from a checked network to the programs a target runs: differentiation (when the
 * network has a train section, with embedding gradients marked sparse where the optimizer allows,
 * see {@link SparseEmbeddingGradients}), the evaluation and inference programs, the target's passes, and a
 * memory plan for each. The code generator and every command that shows a program or a plan read
 * it, so what {@code dnnc plan} prints is what the generated class allocates.
 *
 * <p>The three programs share one workspace (they never run at once): training and evaluation are
 * planned for the train section's batch, and inference for the largest multiple of it, up to
 * {@link PredictBatch#LIMIT}, that fits in the workspace they need anyway. A network without a train
 * section has only the inference program, planned for the default batch.
 */
public final class Lowering {
    private final NetworkModel model;
    private final Target target;
    private final boolean fuse;
    private final Map<Program.Kind, LoweredProgram> programs;
    private final int predictBatch;

    private Lowering(NetworkModel model, Target target, boolean fuse) throws AutodiffException {
        this.model = model;
        this.target = target;
        this.fuse = fuse;
        this.programs = new EnumMap<>(Program.Kind.class);
        int batch = model.train().batch();
        long budget = 0;
        if (model.train().declared()) {
            Graph forward = Frozen.forward(model.graph(), model.train());
            Graph differentiated = trainingOnly(Differentiator.train(forward, Frozen.trainable(model.train())).graph());
            Graph train = target.sparseEmbeddingGradients()
                    ? SparseEmbeddingGradients.mark(differentiated, model.train()) : differentiated;
            budget = add(Program.Kind.TRAIN, train, optimize(train), batch).plan().arenaBytes();
            Graph evaluation = Inference.evaluation(model.graph()).graph();
            budget = Math.max(budget, add(Program.Kind.EVALUATE, evaluation, optimize(evaluation), batch).plan()
                    .arenaBytes());
        }
        Graph inference = Inference.of(model.graph()).graph();
        Graph optimized = optimize(inference);
        this.predictBatch = budget == 0 ? batch : PredictBatch.choose(optimized, batch, budget, target.memory());
        add(Program.Kind.INFER, inference, optimized, predictBatch);
    }

    /**
     * Lowers {@code model} for {@code target}, with the target's fusion passes or, with {@code fuse}
     * false, without them (one kernel call per op).
     *
     * @throws AutodiffException if the network has a train section and cannot be differentiated
     */
    public static Lowering of(NetworkModel model, Target target, boolean fuse) throws AutodiffException {
        return new Lowering(model, target, fuse);
    }

    private Graph optimize(Graph source) {
        return passes().run(source, PassListener.NONE);
    }

    private LoweredProgram add(Program.Kind kind, Graph source, Graph graph, int batch) {
        LoweredProgram program = new LoweredProgram(kind, source, graph, MemoryPlanner.plan(graph, batch, target.memory()));
        programs.put(kind, program);
        return program;
    }

    /** A step reports the loss and applies the gradients; predictions come from the inference program. */
    private static Graph trainingOnly(Graph train) {
        Map<String, Integer> outputs = new LinkedHashMap<>();
        train.outputs().forEach((name, id) -> {
            if (name.equals(Differentiator.LOSS) || name.startsWith(Differentiator.GRADIENT_PREFIX)) {
                outputs.put(name, id);
            }
        });
        return new Graph(train.name(), train.nodes(), outputs);
    }

    public NetworkModel model() {
        return model;
    }

    public Target target() {
        return target;
    }

    /** Whether the target's fusion passes ran. */
    public boolean fused() {
        return fuse;
    }

    /** The target's passes as this lowering runs them (with or without fusion). */
    public PassManager passes() {
        return target.passes(fuse);
    }

    /** Whether the network trains: it has a train section, and so a training and an evaluation program. */
    public boolean trains() {
        return programs.containsKey(Program.Kind.TRAIN);
    }

    /** The program of this kind; empty for training and evaluation of a network without a train section. */
    public Optional<LoweredProgram> program(Program.Kind kind) {
        return Optional.ofNullable(programs.get(kind));
    }

    /** The inference program, which every network has. */
    public LoweredProgram inference() {
        return programs.get(Program.Kind.INFER);
    }

    /** The most examples a training or evaluation step takes: the train section's batch. */
    public int maxBatch() {
        return model.train().batch();
    }

    /** The examples one pass of the inference program takes. */
    public int predictBatch() {
        return predictBatch;
    }

    /** The workspace the programs share: the largest of their arenas. */
    public long workspaceBytes() {
        return programs.values().stream().mapToLong(p -> p.plan().arenaBytes()).max().orElse(0);
    }

    /** The plan of a program of this lowering for another batch, as {@code dnnc plan --batch} shows it. */
    public MemoryPlan plan(Program.Kind kind, int batch) {
        LoweredProgram program = program(kind).orElseThrow(
                () -> new IllegalArgumentException("network " + model.name() + " has no " + kind + " program"));
        return MemoryPlanner.plan(program.graph(), batch, target.memory());
    }
}
