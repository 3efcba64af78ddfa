package org.dnnc.compiler.autodiff;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;
import org.dnnc.compiler.ir.Binary;
import org.dnnc.compiler.ir.BinaryKind;
import org.dnnc.compiler.ir.Constant;
import org.dnnc.compiler.ir.DType;
import org.dnnc.compiler.ir.Dropout;
import org.dnnc.compiler.ir.DropoutMask;
import org.dnnc.compiler.ir.Graph;
import org.dnnc.compiler.ir.GraphBuilder;
import org.dnnc.compiler.ir.Input;
import org.dnnc.compiler.ir.IrTypeException;
import org.dnnc.compiler.ir.Node;
import org.dnnc.compiler.ir.Op;
import org.dnnc.compiler.ir.Origin;
import org.dnnc.compiler.ir.Param;
import org.dnnc.compiler.ir.TensorType;
import org.dnnc.compiler.ir.Verifier;

/**
 * Static reverse-mode differentiation: turns a forward graph with a {@code loss} output into the
 * training program. The forward part is copied with dropout made explicit (a random mask times the
 * input, so that its gradient is an ordinary product); then, walking the schedule backwards from
 * the loss, each node's gradient is the sum of what its users contributed, and its rule in
 * {@link GradientRules} contributes to its operands. Only nodes that lead to a trainable parameter
 * get gradients.
 */
public final class Differentiator {
    /** The output that training minimizes. */
    public static final String LOSS = "loss";
    /** Prefix of the outputs that hold parameter gradients: {@code grad:logits.dense1.weight}. */
    public static final String GRADIENT_PREFIX = "grad:";

    private final GraphBuilder b;
    private final Predicate<String> trainable;
    private final Set<Integer> needsGradient = new HashSet<>();
    private final Map<Integer, List<Integer>> contributions = new HashMap<>();

    private Differentiator(String name, Predicate<String> trainable) {
        this.b = new GraphBuilder(name);
        this.trainable = trainable;
    }

    /** The training program, with gradients for every trainable parameter. */
    public static Program train(Graph forward) throws AutodiffException {
        return train(forward, name -> true);
    }

    /**
     * The training program, with gradients for the trainable parameters that {@code trainable}
     * accepts (the others, such as frozen layers, stay fixed).
     *
     * @throws AutodiffException if the graph has no loss or uses an op without a gradient rule
     */
    public static Program train(Graph forward, Predicate<String> trainable) throws AutodiffException {
        Integer loss = forward.outputs().get(LOSS);
        if (loss == null) {
            throw new AutodiffException("network `" + forward.name() + "` has no loss to train; add a `train` section",
                    Origin.NONE);
        }
        try {
            return new Differentiator(forward.name(), trainable).run(forward, loss);
        } catch (IrTypeException e) {
            throw new IllegalStateException("differentiation built an ill-typed node: " + e.getMessage(), e);
        }
    }

    private Program run(Graph forward, int forwardLoss) throws IrTypeException, AutodiffException {
        Map<Integer, Integer> copy = copyForward(forward);
        int loss = copy.get(forwardLoss);
        Node lossNode = b.node(loss);
        int seed = b.add(new Constant(1, TensorType.scalar(DType.F32)), List.of(), lossNode.origin());
        contributions.computeIfAbsent(loss, k -> new ArrayList<>()).add(seed);

        Map<String, Integer> gradients = new LinkedHashMap<>();
        GradientRules.Emitter emitter = new Emitter();
        List<Integer> schedule = new ArrayList<>(copy.values().stream().distinct().sorted().toList());
        for (int i = schedule.size() - 1; i >= 0; i--) {
            int id = schedule.get(i);
            List<Integer> parts = contributions.remove(id);
            if (parts == null || !needsGradient.contains(id)) {
                continue;
            }
            Node node = b.node(id);
            int g = sum(parts, node);
            if (node.op() instanceof Param p) {
                gradients.put(p.name(), g);
            } else {
                GradientRules.apply(node, g, emitter);
            }
        }
        for (var out : forward.outputs().entrySet()) {
            b.output(out.getKey(), copy.get(out.getValue()));
        }
        Map<String, Integer> ordered = new LinkedHashMap<>();
        for (Node n : b.build().nodes()) {
            if (n.op() instanceof Param p && gradients.containsKey(p.name())) {
                ordered.put(p.name(), gradients.get(p.name()));
                b.output(GRADIENT_PREFIX + p.name(), gradients.get(p.name()));
            }
        }
        Graph graph = b.build();
        Verifier.verify(graph);
        return new Program(Program.Kind.TRAIN, graph, ordered);
    }

    /** Copies the forward nodes, replacing dropout by input times a fresh mask; returns old id -> new id. */
    private Map<Integer, Integer> copyForward(Graph forward) throws IrTypeException {
        Map<Integer, Integer> map = new LinkedHashMap<>();
        for (Node n : forward.nodes()) {
            List<Integer> inputs = n.inputs().stream().map(map::get).toList();
            int id;
            if (n.op() instanceof Input input) {
                id = b.input(input.name(), input.type(), n.origin());
            } else if (n.op() instanceof Param p) {
                id = b.param(p.name(), p.type(), p.trainable(), p.init(), n.origin());
                if (p.trainable() && trainable.test(p.name())) {
                    needsGradient.add(id);
                }
            } else if (n.op() instanceof Dropout d) {
                if (d.rate() == 0) {
                    map.put(n.id(), inputs.get(0));
                    continue;
                }
                int mask = b.add(new DropoutMask(d.rate()), inputs, n.origin());
                id = add(new Binary(BinaryKind.MUL), List.of(inputs.get(0), mask), n.origin());
            } else {
                id = add(n.op(), inputs, n.origin());
            }
            map.put(n.id(), id);
        }
        return map;
    }

    /** Adds a forward node; it needs a gradient when any operand does and its value is real-valued. */
    private int add(Op op, List<Integer> inputs, Origin origin) throws IrTypeException {
        int id = b.add(op, inputs, origin);
        if (b.type(id).dtype() == DType.F32 && inputs.stream().anyMatch(needsGradient::contains)) {
            needsGradient.add(id);
        }
        return id;
    }

    private int sum(List<Integer> parts, Node at) throws IrTypeException {
        int total = parts.get(0);
        for (int i = 1; i < parts.size(); i++) {
            total = b.add(new Binary(BinaryKind.ADD), List.of(total, parts.get(i)), at.origin());
        }
        return total;
    }

    private final class Emitter implements GradientRules.Emitter {
        @Override
        public boolean needsGradient(int id) {
            return needsGradient.contains(id);
        }

        @Override
        public TensorType type(int id) {
            return b.type(id);
        }

        @Override
        public int emit(Op op, List<Integer> operands, Node at) throws IrTypeException {
            return b.add(op, operands, at.origin());
        }

        @Override
        public void contribute(int operand, int gradient) {
            contributions.computeIfAbsent(operand, k -> new ArrayList<>()).add(gradient);
        }
    }
}
