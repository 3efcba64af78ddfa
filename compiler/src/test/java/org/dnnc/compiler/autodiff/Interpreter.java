package org.dnnc.compiler.autodiff;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import org.dnnc.compiler.ir.Activation;
import org.dnnc.compiler.ir.ActivationGrad;
import org.dnnc.compiler.ir.ActivationKind;
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
import org.dnnc.compiler.ir.BatchNormFoldBias;
import org.dnnc.compiler.ir.BatchNormFoldWeight;
import org.dnnc.compiler.ir.BatchNormGradGamma;
import org.dnnc.compiler.ir.BatchNormGradInput;
import org.dnnc.compiler.ir.BatchNormInference;
import org.dnnc.compiler.ir.BatchNormInferenceGradInput;
import org.dnnc.compiler.ir.BatchNormReluGradBeta;
import org.dnnc.compiler.ir.BatchNormReluMaxPool;
import org.dnnc.compiler.ir.BatchNormReluMaxPoolGrad;
import org.dnnc.compiler.ir.BceWithLogits;
import org.dnnc.compiler.ir.BceWithLogitsGrad;
import org.dnnc.compiler.ir.BiasAdd;
import org.dnnc.compiler.ir.BiasGrad;
import org.dnnc.compiler.ir.Binary;
import org.dnnc.compiler.ir.Concat;
import org.dnnc.compiler.ir.Constant;
import org.dnnc.compiler.ir.Conv2d;
import org.dnnc.compiler.ir.Conv2dGradInput;
import org.dnnc.compiler.ir.Conv2dGradWeight;
import org.dnnc.compiler.ir.ConvBiasActivation;
import org.dnnc.compiler.ir.CrossEntropy;
import org.dnnc.compiler.ir.CrossEntropyGrad;
import org.dnnc.compiler.ir.Dense;
import org.dnnc.compiler.ir.Dim;
import org.dnnc.compiler.ir.DropoutMask;
import org.dnnc.compiler.ir.Embedding;
import org.dnnc.compiler.ir.EmbeddingGrad;
import org.dnnc.compiler.ir.Flatten;
import org.dnnc.compiler.ir.FusedElementwise;
import org.dnnc.compiler.ir.GlobalAvgPool;
import org.dnnc.compiler.ir.GlobalAvgPoolGrad;
import org.dnnc.compiler.ir.Graph;
import org.dnnc.compiler.ir.Input;
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
import org.dnnc.compiler.ir.Param;
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
 * A slow, obviously written double-precision evaluator of the ops that networks and their
 * gradients use: the reference that differentiation is checked against (by finite differences
 * and PyTorch's golden values), independent of the runtime's kernels. Each kind of op has its rule
 * in a table by class, which {@link OpRuleCoverageTest} checks against every op.
 */
public final class Interpreter {
    private final int batch;
    private final Map<String, double[]> values;
    private final long seed;

    /**
     * @param values input and parameter name -> values in C order (labels as whole numbers)
     * @param seed   seeds each dropout mask together with its node id, so reruns see the same masks
     */
    public Interpreter(int batch, Map<String, double[]> values, long seed) {
        this.batch = batch;
        this.values = values;
        this.seed = seed;
    }

    /** Every node's value. */
    public Map<Integer, double[]> run(Graph graph) {
        Map<Integer, double[]> out = new HashMap<>();
        for (Node n : graph.nodes()) {
            List<double[]> in = n.inputs().stream().map(out::get).toList();
            List<TensorType> types = n.inputs().stream().map(id -> graph.node(id).type()).toList();
            out.put(n.id(), eval(n, in, types));
        }
        return out;
    }

    private int size(TensorType t) {
        int s = 1;
        for (Dim d : t.dims()) {
            s *= d instanceof Dim.Batch ? batch : d.bound();
        }
        return s;
    }

    /** The index along {@code axis} of element {@code i} of a tensor of this shape (C order). */
    private static int channel(int[] shape, int axis, int i) {
        int resolved = axis < 0 ? axis + shape.length : axis;
        int inner = 1;
        for (int d = resolved + 1; d < shape.length; d++) {
            inner *= shape[d];
        }
        return (i / inner) % shape[resolved];
    }

    /** Every dimension, with the batch at its size. */
    int[] dims(TensorType t) {
        return t.dims().stream().mapToInt(d -> d instanceof Dim.Batch ? batch : d.bound()).toArray();
    }

    /** The elements of one index of the axes before {@code axis}: the product of the sizes from it on. */
    private static int inner(TensorType t, int axis) {
        int s = 1;
        for (int d = axis; d < t.rank(); d++) {
            s *= t.dim(d).bound();
        }
        return s;
    }

    /** The size of the last axis and the number of rows before it. */
    private int last(TensorType t) {
        return t.dim(-1).bound();
    }

    /** How one kind of op is evaluated: its result from its node and its operands' values and types. */
    @FunctionalInterface
    private interface Rule {
        double[] eval(Interpreter self, Node n, List<double[]> in, List<TensorType> types);
    }

    /**
     * The ops this interpreter cannot run yet, listed here and nowhere else: no program checked
     * against this reference uses them (the attention decoder's generated code is checked against
     * PyTorch directly, by {@code GeneratedGoldenNetworksTest}, and its kernel by finite differences). The
     * coverage test fails for any other op without a rule, and for an op listed here that has one.
     */
    static final Set<Class<? extends Op>> NOT_INTERPRETED_YET =
            Set.of(Repeat.class, AttentionDecoder.class, AttentionDecoderGrad.class, DecoderWeights.class);

    private static final Map<Class<? extends Op>, Rule> RULES = rules();

    /** Whether ops of this class can be evaluated. */
    static boolean hasRule(Class<? extends Op> type) {
        return RULES.containsKey(type);
    }

    private static Map<Class<? extends Op>, Rule> rules() {
        Map<Class<? extends Op>, Rule> rules = new HashMap<>();
        rules.put(Input.class, (self, n, in, types) -> self.named(((Input) n.op()).name(), n));
        rules.put(Param.class, (self, n, in, types) -> self.named(((Param) n.op()).name(), n));
        rules.put(Constant.class, Interpreter::constant);
        rules.put(MatMul.class, Interpreter::matMul);
        rules.put(Dense.class, Interpreter::dense);
        rules.put(FusedElementwise.class, Interpreter::fused);
        rules.put(MatMulGradInput.class, Interpreter::matMulGradInput);
        rules.put(MatMulGradWeight.class, Interpreter::matMulGradWeight);
        rules.put(BiasAdd.class, Interpreter::biasAdd);
        rules.put(BiasGrad.class, Interpreter::biasGrad);
        rules.put(Activation.class, Interpreter::activation);
        rules.put(ActivationGrad.class, Interpreter::activationGrad);
        rules.put(Softmax.class, Interpreter::softmax);
        rules.put(LogSoftmax.class, Interpreter::softmax);
        rules.put(SoftmaxGrad.class, Interpreter::softmaxGrad);
        rules.put(LogSoftmaxGrad.class, Interpreter::softmaxGrad);
        rules.put(Binary.class, Interpreter::binary);
        rules.put(Scale.class, Interpreter::scale);
        rules.put(Flatten.class, (self, n, in, types) -> in.get(0).clone());
        rules.put(Reshape.class, (self, n, in, types) -> in.get(0).clone());
        rules.put(DropoutMask.class, Interpreter::dropoutMask);
        rules.put(Concat.class, Interpreter::concat);
        rules.put(Slice.class, Interpreter::slice);
        rules.put(Embedding.class, Interpreter::embedding);
        rules.put(EmbeddingGrad.class, Interpreter::embeddingGrad);
        for (var loss : List.of(CrossEntropy.class, CrossEntropyGrad.class)) {
            rules.put(loss, (self, n, in, types) -> Losses.crossEntropy(n.op(), in, self.dims(types.get(0))));
        }
        for (var loss : List.of(MseLoss.class, BceWithLogits.class)) {
            rules.put(loss, (self, n, in, types) -> Losses.mean(n.op(), in));
        }
        for (var loss : List.of(MseGrad.class, BceWithLogitsGrad.class)) {
            rules.put(loss, (self, n, in, types) -> Losses.meanGrad(n.op(), in));
        }
        rules.put(ConvBiasActivation.class, Interpreter::convBiasActivation);
        rules.put(BatchNormFoldWeight.class, Interpreter::batchNormFoldWeight);
        rules.put(BatchNormFoldBias.class, Interpreter::batchNormFoldBias);
        rules.put(BatchNormReluGradBeta.class, Interpreter::batchNormReluGradBeta);
        rules.put(BatchNormReluMaxPool.class, (self, n, in, types) -> Normalizations.pooled(
                (BatchNormReluMaxPool) n.op(), in, self.dims(types.get(0)), self.dims(n.type())));
        rules.put(BatchNormReluMaxPoolGrad.class, (self, n, in, types) -> Normalizations.pooledGrad(
                (BatchNormReluMaxPoolGrad) n.op(), in, self.dims(types.get(1)), self.dims(types.get(0))));
        rules.put(BatchNormInferenceGradInput.class, (self, n, in, types) -> Normalizations.inferenceGradInput(
                (BatchNormInferenceGradInput) n.op(), in, self.dims(types.get(0))));
        for (var conv : List.of(Conv2d.class, Conv2dGradInput.class, Conv2dGradWeight.class)) {
            rules.put(conv, (self, n, in, types) ->
                    Convolutions.eval(n.op(), in, types.stream().map(self::dims).toList(), self.dims(n.type())));
        }
        for (var pool : List.of(Pool2d.class, Pool2dGrad.class, GlobalAvgPool.class, GlobalAvgPoolGrad.class)) {
            rules.put(pool, (self, n, in, types) ->
                    Convolutions.pool(n.op(), in, types.stream().map(self::dims).toList(), self.dims(n.type())));
        }
        for (var norm : List.of(BatchNorm.class, BatchNormInference.class, BatchNormGradInput.class,
                BatchNormGradGamma.class, LayerNorm.class, LayerNormGradInput.class, LayerNormGradGamma.class)) {
            rules.put(norm, (self, n, in, types) ->
                    Normalizations.eval(n.op(), in, types.stream().map(self::dims).toList(), self.dims(n.type())));
        }
        rules.put(Recurrent.class, (self, n, in, types) ->
                Recurrences.forward((Recurrent) n.op(), in, self.dims(types.get(0))));
        rules.put(RecurrentGrad.class, (self, n, in, types) ->
                Recurrences.gradient((RecurrentGrad) n.op(), in, self.dims(types.get(RecurrentGrad.LAYER_OPERANDS))));
        rules.put(ShiftRight.class, Interpreter::shiftRight);
        rules.put(LastStep.class, Interpreter::lastStep);
        rules.put(LastStepGrad.class, Interpreter::lastStepGrad);
        rules.put(AdditiveAttention.class, (self, n, in, types) ->
                Attentions.context((AdditiveAttention) n.op(), in, self.dims(types.get(0)), self.dims(types.get(1))));
        rules.put(AttentionWeights.class, (self, n, in, types) -> Attentions.weights(
                ((AttentionWeights) n.op()).attention(), in, self.dims(types.get(0)), self.dims(types.get(1))));
        rules.put(AdditiveAttentionGrad.class, (self, n, in, types) -> Attentions.gradient(
                (AdditiveAttentionGrad) n.op(), in, self.dims(types.get(AdditiveAttentionGrad.LAYER_OPERANDS)),
                self.dims(types.get(AdditiveAttentionGrad.LAYER_OPERANDS + 1))));
        return Map.copyOf(rules);
    }

    private double[] shiftRight(Node n, List<double[]> in, List<TensorType> types) {
        int[] d = dims(types.get(0));
        double[] y = new double[in.get(0).length];
        for (int b = 0; b < d[0]; b++) {
            y[b * d[1]] = ((ShiftRight) n.op()).fill();
            System.arraycopy(in.get(0), b * d[1], y, b * d[1] + 1, d[1] - 1);
        }
        return y;
    }

    /** Example {@code b}'s last valid step of {@code steps}: the last, or its length minus one (-1 for none). */
    private static int lastValid(boolean lengths, List<double[]> in, int b, int steps) {
        return lengths ? (int) in.get(1)[b] - 1 : steps - 1;
    }

    private double[] lastStep(Node n, List<double[]> in, List<TensorType> types) {
        int[] d = dims(types.get(0));
        double[] y = new double[d[0] * d[2]];
        for (int b = 0; b < d[0]; b++) {
            int t = lastValid(((LastStep) n.op()).lengths(), in, b, d[1]);
            if (t >= 0) {
                System.arraycopy(in.get(0), (b * d[1] + t) * d[2], y, b * d[2], d[2]);
            }
        }
        return y;
    }

    private double[] lastStepGrad(Node n, List<double[]> in, List<TensorType> types) {
        int[] d = dims(n.type());
        double[] dx = new double[d[0] * d[1] * d[2]];
        for (int b = 0; b < d[0]; b++) {
            int t = lastValid(((LastStepGrad) n.op()).forward().lengths(), in, b, d[1]);
            if (t >= 0) {
                System.arraycopy(in.get(0), b * d[2], dx, (b * d[1] + t) * d[2], d[2]);
            }
        }
        return dx;
    }

    private double[] eval(Node n, List<double[]> in, List<TensorType> types) {
        Rule rule = RULES.get(n.op().getClass());
        if (rule == null) {
            throw new UnsupportedOperationException("the reference interpreter has no rule for " + n.op().mnemonic());
        }
        return rule.eval(this, n, in, types);
    }

    private double[] named(String name, Node n) {
        return check(values.get(name), size(n.type()), name);
    }

    private double[] constant(Node n, List<double[]> in, List<TensorType> types) {
        double[] y = new double[size(n.type())];
        java.util.Arrays.fill(y, ((Constant) n.op()).value());
        return y;
    }

    private double[] matMul(Node n, List<double[]> in, List<TensorType> types) {
        int size = size(n.type());
        double[] y = new double[size];
        int k = last(types.get(0));
        int m = last(n.type());
        for (int r = 0; r < size / m; r++) {
            for (int j = 0; j < m; j++) {
                double s = 0;
                for (int q = 0; q < k; q++) {
                    s += in.get(0)[r * k + q] * in.get(1)[j * k + q];
                }
                y[r * m + j] = s;
            }
        }
        return y;
    }

    /** The matrix product, plus the bias, through the activation. */
    private double[] dense(Node n, List<double[]> in, List<TensorType> types) {
        Dense d = (Dense) n.op();
        double[] y = matMul(n, in, types);
        int m = last(n.type());
        for (int i = 0; i < y.length; i++) {
            y[i] = activate(d.activation(), d.alpha(), y[i] + in.get(2)[i % m]);
        }
        return y;
    }

    private double[] fused(Node n, List<double[]> in, List<TensorType> types) {
        FusedElementwise chain = (FusedElementwise) n.op();
        // A per-channel operand, spread over the result's elements: each reads its channel's value.
        List<double[]> full = new java.util.ArrayList<>(in);
        if (!chain.channels().isEmpty()) {
            int size = size(n.type());
            int channels = n.type().dim(1).bound();
            int spatial = 1;
            for (int d = 2; d < n.type().rank(); d++) {
                spatial *= n.type().dim(d).bound();
            }
            for (int k : chain.channels()) {
                double[] spread = new double[size];
                for (int i = 0; i < size; i++) {
                    spread[i] = in.get(k)[(i / spatial) % channels];
                }
                full.set(k, spread);
            }
        }
        List<double[]> steps = new java.util.ArrayList<>();
        for (FusedElementwise.Step step : chain.steps()) {
            List<double[]> args = step.args().stream().map(r -> r.step() ? steps.get(r.index()) : full.get(r.index())).toList();
            List<TensorType> argTypes = step.args().stream().map(r -> n.type()).toList();
            steps.add(eval(new Node(n.id(), step.op(), List.of(), n.type(), n.origin()), args, argTypes));
        }
        return steps.get(steps.size() - 1);
    }

    private double[] matMulGradInput(Node n, List<double[]> in, List<TensorType> types) {
        int size = size(n.type());
        double[] y = new double[size];
        int m = last(types.get(0));
        int k = last(n.type());
        for (int r = 0; r < size / k; r++) {
            for (int q = 0; q < k; q++) {
                double s = 0;
                for (int j = 0; j < m; j++) {
                    s += in.get(0)[r * m + j] * in.get(1)[j * k + q];
                }
                y[r * k + q] = s;
            }
        }
        return y;
    }

    private double[] matMulGradWeight(Node n, List<double[]> in, List<TensorType> types) {
        double[] y = new double[size(n.type())];
        int m = last(types.get(0));
        int k = last(types.get(1));
        int rows = size(types.get(0)) / m;
        for (int r = 0; r < rows; r++) {
            for (int j = 0; j < m; j++) {
                for (int q = 0; q < k; q++) {
                    y[j * k + q] += in.get(0)[r * m + j] * in.get(1)[r * k + q];
                }
            }
        }
        return y;
    }

    private double[] biasAdd(Node n, List<double[]> in, List<TensorType> types) {
        BiasAdd b = (BiasAdd) n.op();
        int size = size(n.type());
        double[] y = new double[size];
        int[] shape = dims(n.type());
        for (int i = 0; i < size; i++) {
            y[i] = in.get(0)[i] + in.get(1)[channel(shape, b.axis(), i)];
        }
        return y;
    }

    private double[] biasGrad(Node n, List<double[]> in, List<TensorType> types) {
        BiasGrad b = (BiasGrad) n.op();
        double[] y = new double[size(n.type())];
        int[] shape = dims(types.get(0));
        for (int i = 0; i < in.get(0).length; i++) {
            y[channel(shape, b.axis(), i)] += in.get(0)[i];
        }
        return y;
    }

    private double[] activation(Node n, List<double[]> in, List<TensorType> types) {
        Activation a = (Activation) n.op();
        double[] y = new double[size(n.type())];
        for (int i = 0; i < y.length; i++) {
            y[i] = activate(a.kind(), a.alpha(), in.get(0)[i]);
        }
        return y;
    }

    private double[] activationGrad(Node n, List<double[]> in, List<TensorType> types) {
        ActivationGrad a = (ActivationGrad) n.op();
        double[] y = new double[size(n.type())];
        for (int i = 0; i < y.length; i++) {
            y[i] = in.get(0)[i] * derivativeFromOutput(a.kind(), a.alpha(), in.get(1)[i]);
        }
        return y;
    }

    /** Softmax or log-softmax over the last axis. */
    private double[] softmax(Node n, List<double[]> in, List<TensorType> types) {
        int size = size(n.type());
        double[] y = new double[size];
        int c = last(n.type());
        for (int r = 0; r < size / c; r++) {
            double max = Double.NEGATIVE_INFINITY;
            for (int j = 0; j < c; j++) {
                max = Math.max(max, in.get(0)[r * c + j]);
            }
            double sum = 0;
            for (int j = 0; j < c; j++) {
                sum += Math.exp(in.get(0)[r * c + j] - max);
            }
            for (int j = 0; j < c; j++) {
                double shifted = in.get(0)[r * c + j] - max;
                y[r * c + j] = n.op() instanceof Softmax ? Math.exp(shifted) / sum : shifted - Math.log(sum);
            }
        }
        return y;
    }

    /** The gradient of softmax or log-softmax from the upstream gradient and the output. */
    private double[] softmaxGrad(Node n, List<double[]> in, List<TensorType> types) {
        boolean softmax = n.op() instanceof SoftmaxGrad;
        int size = size(n.type());
        double[] y = new double[size];
        int c = last(n.type());
        double[] dy = in.get(0);
        double[] out = in.get(1);
        for (int r = 0; r < size / c; r++) {
            double dot = 0;
            for (int j = 0; j < c; j++) {
                dot += softmax ? dy[r * c + j] * out[r * c + j] : dy[r * c + j];
            }
            for (int j = 0; j < c; j++) {
                int i = r * c + j;
                y[i] = softmax ? out[i] * (dy[i] - dot) : dy[i] - Math.exp(out[i]) * dot;
            }
        }
        return y;
    }

    private double[] binary(Node n, List<double[]> in, List<TensorType> types) {
        Binary b = (Binary) n.op();
        double[] y = new double[size(n.type())];
        for (int i = 0; i < y.length; i++) {
            double l = in.get(0)[i];
            double r = in.get(1)[i];
            y[i] = switch (b.kind()) {
                case ADD -> l + r;
                case SUB -> l - r;
                case MUL -> l * r;
            };
        }
        return y;
    }

    private double[] scale(Node n, List<double[]> in, List<TensorType> types) {
        Scale s = (Scale) n.op();
        double[] y = new double[size(n.type())];
        for (int i = 0; i < y.length; i++) {
            y[i] = s.factor() * in.get(0)[i];
        }
        return y;
    }

    private double[] dropoutMask(Node n, List<double[]> in, List<TensorType> types) {
        DropoutMask d = (DropoutMask) n.op();
        double[] y = new double[size(n.type())];
        SplittableRandom random = new SplittableRandom(seed * 1_000_003L + n.id());
        for (int i = 0; i < y.length; i++) {
            y[i] = random.nextDouble() < d.rate() ? 0 : 1 / (1 - d.rate());
        }
        return y;
    }

    private double[] concat(Node n, List<double[]> in, List<TensorType> types) {
        Concat c = (Concat) n.op();
        int size = size(n.type());
        double[] y = new double[size];
        // Rows are the indices before the axis; each operand fills its block of every row.
        int axis = c.axis() < 0 ? c.axis() + n.type().rank() : c.axis();
        int row = inner(n.type(), axis);
        int outer = size / row;
        int offset = 0;
        for (int k = 0; k < in.size(); k++) {
            int w = inner(types.get(k), axis);
            for (int r = 0; r < outer; r++) {
                System.arraycopy(in.get(k), r * w, y, r * row + offset, w);
            }
            offset += w;
        }
        return y;
    }

    private double[] slice(Node n, List<double[]> in, List<TensorType> types) {
        Slice s = (Slice) n.op();
        int size = size(n.type());
        double[] y = new double[size];
        int axis = s.axis() < 0 ? s.axis() + n.type().rank() : s.axis();
        int w = inner(types.get(0), axis);
        int part = inner(n.type(), axis);
        int after = part / s.length();
        for (int r = 0; r < size / part; r++) {
            System.arraycopy(in.get(0), r * w + s.start() * after, y, r * part, part);
        }
        return y;
    }

    /** Row {@code ids[r]} of the table for each id r. */
    private double[] embedding(Node n, List<double[]> in, List<TensorType> types) {
        double[] ids = in.get(0);
        double[] table = in.get(1);
        int dim = last(n.type());
        int vocab = types.get(1).dim(0).bound();
        double[] y = new double[size(n.type())];
        for (int r = 0; r < ids.length; r++) {
            System.arraycopy(table, id(ids[r], vocab) * dim, y, r * dim, dim);
        }
        return y;
    }

    /** Each row of the gradient added to the table row its id picked. */
    private double[] embeddingGrad(Node n, List<double[]> in, List<TensorType> types) {
        double[] dy = in.get(0);
        double[] ids = in.get(1);
        int dim = last(n.type());
        int vocab = ((EmbeddingGrad) n.op()).vocab();
        double[] y = new double[size(n.type())];
        for (int r = 0; r < ids.length; r++) {
            int row = id(ids[r], vocab) * dim;
            for (int j = 0; j < dim; j++) {
                y[row + j] += dy[r * dim + j];
            }
        }
        return y;
    }

    /** An id as an index, refusing one a test set outside the vocabulary. */
    private static int id(double value, int vocab) {
        if (value != Math.rint(value) || value < 0 || value >= vocab) {
            throw new IllegalArgumentException("id " + value + " is outside the vocabulary [0, " + vocab + ")");
        }
        return (int) value;
    }

    private double[] convBiasActivation(Node n, List<double[]> in, List<TensorType> types) {
        ConvBiasActivation f = (ConvBiasActivation) n.op();
        double[] y = new double[size(n.type())];
        double[] z = Convolutions.eval(f.conv(), in.subList(0, 2), types.subList(0, 2).stream().map(this::dims).toList(),
                dims(n.type()));
        int[] shape = dims(n.type());
        for (int i = 0; i < z.length; i++) {
            y[i] = activate(f.activation(), f.alpha(), z[i] + in.get(2)[channel(shape, 1, i)]);
        }
        return y;
    }

    private double[] batchNormFoldWeight(Node n, List<double[]> in, List<TensorType> types) {
        BatchNormFoldWeight f = (BatchNormFoldWeight) n.op();
        int size = size(n.type());
        double[] y = new double[size];
        int perChannel = size / in.get(1).length;
        for (int i = 0; i < size; i++) {
            int c = i / perChannel;
            y[i] = in.get(0)[i] * in.get(1)[c] / Math.sqrt(in.get(2)[c] + f.eps());
        }
        return y;
    }

    private double[] batchNormFoldBias(Node n, List<double[]> in, List<TensorType> types) {
        BatchNormFoldBias f = (BatchNormFoldBias) n.op();
        int size = size(n.type());
        double[] y = new double[size];
        int k = f.withBias() ? 1 : 0;
        for (int c = 0; c < size; c++) {
            double b = f.withBias() ? in.get(0)[c] : 0;
            double scale = in.get(k)[c] / Math.sqrt(in.get(k + 3)[c] + f.eps());
            y[c] = in.get(k + 1)[c] + (b - in.get(k + 2)[c]) * scale;
        }
        return y;
    }

    private double[] batchNormReluGradBeta(Node n, List<double[]> in, List<TensorType> types) {
        double[] y = new double[size(n.type())];
        int[] shape = dims(types.get(0));
        for (int i = 0; i < in.get(0).length; i++) {
            y[channel(shape, 1, i)] += in.get(1)[i] > 0 ? in.get(0)[i] : 0;
        }
        return y;
    }

    static double activate(ActivationKind kind, double alpha, double x) {
        return switch (kind) {
            case RELU -> Math.max(x, 0);
            case LEAKY_RELU -> x > 0 ? x : alpha * x;
            case ELU -> x > 0 ? x : alpha * (Math.exp(x) - 1);
            case SIGMOID -> 1 / (1 + Math.exp(-x));
            case TANH -> Math.tanh(x);
            case IDENTITY -> x;
        };
    }

    private static double derivativeFromOutput(ActivationKind kind, double alpha, double y) {
        return switch (kind) {
            case RELU -> y > 0 ? 1 : 0;
            case LEAKY_RELU -> y > 0 ? 1 : alpha;
            case ELU -> y > 0 ? 1 : y + alpha;
            case SIGMOID -> y * (1 - y);
            case TANH -> 1 - y * y;
            case IDENTITY -> 1;
        };
    }

    private static double[] check(double[] v, int size, String name) {
        if (v == null || v.length != size) {
            throw new IllegalArgumentException(name + ": expected " + size + " values, got "
                    + (v == null ? "none" : v.length));
        }
        return v;
    }
}
