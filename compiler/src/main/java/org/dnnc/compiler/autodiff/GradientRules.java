package org.dnnc.compiler.autodiff;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.dnnc.compiler.ir.Activation;
import org.dnnc.compiler.ir.ActivationGrad;
import org.dnnc.compiler.ir.AdditiveAttention;
import org.dnnc.compiler.ir.AdditiveAttentionGrad;
import org.dnnc.compiler.ir.AttentionDecoder;
import org.dnnc.compiler.ir.AttentionDecoderGrad;
import org.dnnc.compiler.ir.AttentionWeights;
import org.dnnc.compiler.ir.DecoderWeights;
import org.dnnc.compiler.ir.LastStep;
import org.dnnc.compiler.ir.LastStepGrad;
import org.dnnc.compiler.ir.ShiftRight;
import org.dnnc.compiler.ir.BatchNorm;
import org.dnnc.compiler.ir.BatchNormGradGamma;
import org.dnnc.compiler.ir.BatchNormGradInput;
import org.dnnc.compiler.ir.BatchNormInference;
import org.dnnc.compiler.ir.BatchNormInferenceGradInput;
import org.dnnc.compiler.ir.BceWithLogits;
import org.dnnc.compiler.ir.BceWithLogitsGrad;
import org.dnnc.compiler.ir.BiasAdd;
import org.dnnc.compiler.ir.BiasGrad;
import org.dnnc.compiler.ir.Binary;
import org.dnnc.compiler.ir.BinaryKind;
import org.dnnc.compiler.ir.Concat;
import org.dnnc.compiler.ir.Conv2d;
import org.dnnc.compiler.ir.Conv2dGradInput;
import org.dnnc.compiler.ir.Conv2dGradWeight;
import org.dnnc.compiler.ir.CrossEntropy;
import org.dnnc.compiler.ir.CrossEntropyGrad;
import org.dnnc.compiler.ir.Dim;
import org.dnnc.compiler.ir.Embedding;
import org.dnnc.compiler.ir.EmbeddingGrad;
import org.dnnc.compiler.ir.Flatten;
import org.dnnc.compiler.ir.GlobalAvgPool;
import org.dnnc.compiler.ir.GlobalAvgPoolGrad;
import org.dnnc.compiler.ir.IrTypeException;
import org.dnnc.compiler.ir.LayerNorm;
import org.dnnc.compiler.ir.LayerNormGradGamma;
import org.dnnc.compiler.ir.LayerNormGradInput;
import org.dnnc.compiler.ir.LogSoftmax;
import org.dnnc.compiler.ir.LogSoftmaxGrad;
import org.dnnc.compiler.ir.MatMul;
import org.dnnc.compiler.ir.MatMulGradInput;
import org.dnnc.compiler.ir.MatMulGradWeight;
import org.dnnc.compiler.ir.MseGrad;
import org.dnnc.compiler.ir.MseLoss;
import org.dnnc.compiler.ir.Node;
import org.dnnc.compiler.ir.Op;
import org.dnnc.compiler.ir.Pool2d;
import org.dnnc.compiler.ir.Pool2dGrad;
import org.dnnc.compiler.ir.Recurrent;
import org.dnnc.compiler.ir.RecurrentGrad;
import org.dnnc.compiler.ir.Repeat;
import org.dnnc.compiler.ir.Reshape;
import org.dnnc.compiler.ir.Scale;
import org.dnnc.compiler.ir.Slice;
import org.dnnc.compiler.ir.Softmax;
import org.dnnc.compiler.ir.SoftmaxGrad;
import org.dnnc.compiler.ir.TensorType;

/**
 * The reverse-mode rule of each op, in a table by op class: given a node and the gradient {@code g}
 * of its result, a rule emits the gradient contribution for each operand that needs one. Every op
 * whose {@link Op#differentiability()} is {@code DIFFERENTIABLE} has a rule here or is listed in
 * {@link #NOT_DIFFERENTIABLE_YET}; a test checks that.
 */
final class GradientRules {
    private GradientRules() {}

    /** What a rule may do: read the graph being built, emit nodes, and pass gradients to operands. */
    interface Emitter {
        boolean needsGradient(int id);

        TensorType type(int id);

        int emit(Op op, List<Integer> operands, Node at) throws IrTypeException;

        void contribute(int operand, int gradient);
    }

    /**
     * The differentiable ops without a rule yet, listed here and nowhere else: networks that use them
     * check and show their graphs, but training through them fails with a positioned error. Adding a
     * rule means removing the op from this set; a test fails until both are done.
     */
    static final Set<Class<? extends Op>> NOT_DIFFERENTIABLE_YET =
            Set.of(AttentionWeights.class, DecoderWeights.class, Repeat.class);

    /** One op's rule: contributes the gradient of each operand of {@code n} from {@code g}, that of its result. */
    @FunctionalInterface
    private interface Rule<T extends Op> {
        void apply(T op, Node n, int g, Emitter e) throws IrTypeException;
    }

    private static final Map<Class<? extends Op>, Rule<Op>> RULES = rules();

    /** Whether ops of this class have a rule, so that training can go through them. */
    static boolean hasRule(Class<? extends Op> type) {
        return RULES.containsKey(type);
    }

    /**
     * Applies the rule of {@code n}'s op.
     *
     * @throws AutodiffException for an op that is {@linkplain #NOT_DIFFERENTIABLE_YET not differentiable yet}
     */
    static void apply(Node n, int g, Emitter e) throws IrTypeException, AutodiffException {
        Op op = n.op();
        Rule<Op> rule = RULES.get(op.getClass());
        if (rule != null) {
            rule.apply(op, n, g, e);
        } else if (NOT_DIFFERENTIABLE_YET.contains(op.getClass())) {
            throw new AutodiffException("training through `" + op.mnemonic() + "` is not supported yet", n.origin());
        } else {
            // Forward graphs hold only differentiable ops, leaves and dropout (lowered before this).
            throw new IllegalStateException("no gradient rule for `" + op.mnemonic() + "`, which is "
                    + op.differentiability());
        }
    }

    private static Map<Class<? extends Op>, Rule<Op>> rules() {
        Map<Class<? extends Op>, Rule<Op>> rules = new HashMap<>();
        put(rules, MatMul.class, (op, n, g, e) -> {
            int x = n.inputs().get(0);
            int w = n.inputs().get(1);
            to(e, x, () -> e.emit(new MatMulGradInput(), List.of(g, w), n));
            to(e, w, () -> e.emit(new MatMulGradWeight(), List.of(g, x), n));
        });
        put(rules, BiasAdd.class, (op, n, g, e) -> {
            to(e, n.inputs().get(0), () -> g);
            to(e, n.inputs().get(1), () -> e.emit(new BiasGrad(op.axis()), List.of(g), n));
        });
        put(rules, Activation.class, (op, n, g, e) ->
                to(e, n.inputs().get(0), () -> e.emit(new ActivationGrad(op.kind(), op.alpha()), List.of(g, n.id()), n)));
        put(rules, Softmax.class, (op, n, g, e) ->
                to(e, n.inputs().get(0), () -> e.emit(new SoftmaxGrad(op.axis()), List.of(g, n.id()), n)));
        put(rules, LogSoftmax.class, (op, n, g, e) ->
                to(e, n.inputs().get(0), () -> e.emit(new LogSoftmaxGrad(op.axis()), List.of(g, n.id()), n)));
        put(rules, Binary.class, (op, n, g, e) -> binary(n, op.kind(), g, e));
        put(rules, Scale.class, (op, n, g, e) ->
                to(e, n.inputs().get(0), () -> e.emit(new Scale(op.factor()), List.of(g), n)));
        put(rules, Flatten.class, GradientRules::view);
        put(rules, Reshape.class, GradientRules::view);
        put(rules, Concat.class, GradientRules::concat);
        put(rules, CrossEntropy.class, (op, n, g, e) -> {
            int logits = n.inputs().get(0);
            to(e, logits, () -> e.emit(new CrossEntropyGrad(op.ignore()), List.of(logits, n.inputs().get(1), g), n));
        });
        put(rules, MseLoss.class, (op, n, g, e) -> loss(n, new MseGrad(), g, e));
        put(rules, BceWithLogits.class, (op, n, g, e) -> loss(n, new BceWithLogitsGrad(), g, e));
        put(rules, Conv2d.class, (op, n, g, e) -> {
            int x = n.inputs().get(0);
            int w = n.inputs().get(1);
            TensorType xt = e.type(x);
            TensorType wt = e.type(w);
            to(e, x, () -> e.emit(new Conv2dGradInput(op, xt.dim(2).bound(), xt.dim(3).bound()), List.of(g, w), n));
            to(e, w, () -> e.emit(new Conv2dGradWeight(op, wt.dim(2).bound(), wt.dim(3).bound()), List.of(g, x), n));
        });
        put(rules, Pool2d.class, (op, n, g, e) -> {
            int x = n.inputs().get(0);
            to(e, x, () -> e.emit(new Pool2dGrad(op), List.of(g, x), n));
        });
        put(rules, GlobalAvgPool.class, (op, n, g, e) -> {
            int x = n.inputs().get(0);
            TensorType xt = e.type(x);
            to(e, x, () -> e.emit(new GlobalAvgPoolGrad(xt.dim(2).bound(), xt.dim(3).bound()), List.of(g), n));
        });
        put(rules, Embedding.class, (op, n, g, e) -> {
            // Ids are ints and get no gradient; the table's needs its row count, which g does not show.
            int ids = n.inputs().get(0);
            int table = n.inputs().get(1);
            int vocab = e.type(table).dim(0).bound();
            to(e, table, () -> e.emit(new EmbeddingGrad(vocab), List.of(g, ids), n));
        });
        put(rules, BatchNorm.class, (op, n, g, e) -> {
            int x = n.inputs().get(0);
            int gamma = n.inputs().get(1);
            to(e, x, () -> e.emit(new BatchNormGradInput(op.eps()), List.of(g, x, gamma), n));
            to(e, gamma, () -> e.emit(new BatchNormGradGamma(op.eps()), List.of(g, x), n));
            to(e, n.inputs().get(2), () -> e.emit(new BiasGrad(1), List.of(g), n));
        });
        put(rules, BatchNormInference.class, (op, n, g, e) -> {
            // Only frozen layers normalize with running statistics in training, so only x may need a gradient.
            if (n.inputs().subList(1, 5).stream().anyMatch(e::needsGradient)) {
                throw new IllegalStateException("batchnorm_inference %" + n.id() + " has a trainable parameter");
            }
            int x = n.inputs().get(0);
            to(e, x, () -> e.emit(new BatchNormInferenceGradInput(op.eps()),
                    List.of(g, n.inputs().get(1), n.inputs().get(4)), n));
        });
        put(rules, LayerNorm.class, (op, n, g, e) -> {
            int x = n.inputs().get(0);
            int gamma = n.inputs().get(1);
            to(e, x, () -> e.emit(new LayerNormGradInput(op.eps()), List.of(g, x, gamma), n));
            to(e, gamma, () -> e.emit(new LayerNormGradGamma(op.eps()), List.of(g, x), n));
            to(e, n.inputs().get(2), () -> e.emit(new BiasGrad(-1), List.of(g), n));
        });
        put(rules, Recurrent.class, GradientRules::recurrent);
        put(rules, AdditiveAttention.class, GradientRules::attention);
        put(rules, AttentionDecoder.class, GradientRules::decoder);
        put(rules, LastStep.class, (op, n, g, e) -> {
            int x = n.inputs().get(0);
            List<Integer> operands = new ArrayList<>(List.of(g));
            operands.addAll(n.inputs().subList(1, n.inputs().size()));
            to(e, x, () -> e.emit(new LastStepGrad(op, e.type(x).dim(1)), operands, n));
        });
        // Shifted ids are ints, which nothing differentiates: the rule has nothing to pass on.
        put(rules, ShiftRight.class, (op, n, g, e) -> { });
        return Map.copyOf(rules);
    }

    /**
     * Each operand's gradient is one node reading the same operands: the result's gradient, the
     * result (its call saved what back-propagation through time reads) and the layer's operands.
     */
    private static void recurrent(Recurrent op, Node n, int g, Emitter e) throws IrTypeException {
        List<Integer> operands = new ArrayList<>(List.of(g, n.id()));
        operands.addAll(n.inputs());
        for (RecurrentGrad.Wrt wrt : RecurrentGrad.Wrt.values()) {
            int operand = wrt.operand(op);
            if (operand >= 0) {
                to(e, n.inputs().get(operand), () -> e.emit(new RecurrentGrad(op, wrt), operands, n));
            }
        }
    }

    /** As for a recurrent layer: each operand's gradient reads the context's gradient, the context and the operands. */
    private static void attention(AdditiveAttention op, Node n, int g, Emitter e) throws IrTypeException {
        List<Integer> operands = new ArrayList<>(List.of(g, n.id()));
        operands.addAll(n.inputs());
        for (AdditiveAttentionGrad.Wrt wrt : AdditiveAttentionGrad.Wrt.values()) {
            to(e, n.inputs().get(wrt.operand()), () -> e.emit(new AdditiveAttentionGrad(op, wrt), operands, n));
        }
    }

    /** As for a recurrent layer, for each operand the decoder has (its initial state is optional). */
    private static void decoder(AttentionDecoder op, Node n, int g, Emitter e) throws IrTypeException {
        List<Integer> operands = new ArrayList<>(List.of(g, n.id()));
        operands.addAll(n.inputs());
        for (AttentionDecoderGrad.Wrt wrt : AttentionDecoderGrad.Wrt.values()) {
            int operand = wrt.operand(op);
            if (operand >= 0) {
                to(e, n.inputs().get(operand), () -> e.emit(new AttentionDecoderGrad(op, wrt), operands, n));
            }
        }
    }

    /** Files a rule that sees its op as the class it is for. */
    private static <T extends Op> void put(Map<Class<? extends Op>, Rule<Op>> rules, Class<T> type, Rule<T> rule) {
        rules.put(type, (op, n, g, e) -> rule.apply(type.cast(op), n, g, e));
    }

    /** A view's gradient is the result's gradient seen in the operand's shape. */
    private static void view(Op op, Node n, int g, Emitter e) throws IrTypeException {
        int x = n.inputs().get(0);
        List<Dim> perExample = e.type(x).dims().subList(1, e.type(x).rank());
        to(e, x, () -> e.emit(new Reshape(perExample), List.of(g), n));
    }

    /** Each operand's gradient is its block of the result's gradient. */
    private static void concat(Concat op, Node n, int g, Emitter e) throws IrTypeException {
        int offset = 0;
        for (int x : n.inputs()) {
            int axis = op.axis() < 0 ? op.axis() + e.type(x).rank() : op.axis();
            int length = e.type(x).dim(axis).bound();
            int start = offset;
            to(e, x, () -> e.emit(new Slice(op.axis(), start, length), List.of(g), n));
            offset += length;
        }
    }

    private static void binary(Node n, BinaryKind kind, int g, Emitter e) throws IrTypeException {
        int a = n.inputs().get(0);
        int b = n.inputs().get(1);
        switch (kind) {
            case ADD -> {
                to(e, a, () -> g);
                to(e, b, () -> g);
            }
            case SUB -> {
                to(e, a, () -> g);
                to(e, b, () -> e.emit(new Scale(-1), List.of(g), n));
            }
            case MUL -> {
                to(e, a, () -> e.emit(new Binary(BinaryKind.MUL), List.of(g, b), n));
                to(e, b, () -> e.emit(new Binary(BinaryKind.MUL), List.of(g, a), n));
            }
        }
    }

    /** A loss of (prediction, target): the target's gradient is the prediction's negated. */
    private static void loss(Node n, Op gradOp, int g, Emitter e) throws IrTypeException {
        int prediction = n.inputs().get(0);
        int target = n.inputs().get(1);
        if (!e.needsGradient(prediction) && !e.needsGradient(target)) {
            return;
        }
        int dPrediction = e.emit(gradOp, List.of(prediction, target, g), n);
        to(e, prediction, () -> dPrediction);
        to(e, target, () -> e.emit(new Scale(-1), List.of(dPrediction), n));
    }

    /** Emits a gradient only for an operand that needs one: no work for inputs and constants. */
    private static void to(Emitter e, int operand, GradientSupplier gradient) throws IrTypeException {
        if (e.needsGradient(operand)) {
            e.contribute(operand, gradient.get());
        }
    }

    @FunctionalInterface
    private interface GradientSupplier {
        int get() throws IrTypeException;
    }
}
