package org.dnnc.compiler.codegen;

import static org.dnnc.compiler.codegen.ProgramEmitter.stmt;

import com.palantir.javapoet.CodeBlock;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
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
import org.dnnc.compiler.ir.DropoutMask;
import org.dnnc.compiler.ir.Embedding;
import org.dnnc.compiler.ir.EmbeddingGrad;
import org.dnnc.compiler.ir.FusedElementwise;
import org.dnnc.compiler.ir.GlobalAvgPool;
import org.dnnc.compiler.ir.GlobalAvgPoolGrad;
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
import org.dnnc.compiler.ir.Scale;
import org.dnnc.compiler.ir.Slice;
import org.dnnc.compiler.ir.Softmax;
import org.dnnc.compiler.ir.SoftmaxGrad;
import org.dnnc.compiler.ir.TensorType;

/**
 * The CPU target's kernel calls: one entry per op class, each a call into {@code
 * org.dnnc.runtime.cpu}. The table is the dispatch, so an op without an entry is refused by name,
 * and a test lists every op of the IR that has none.
 */
public final class CpuKernels implements KernelEmitter {

    /** One op's emission. */
    private interface Rule {
        CodeBlock emit(Node n, ProgramView p) throws CodegenException;
    }

    /** The loss gradients, whose kernels take an upstream gradient of 1 unless told otherwise. */
    private static final Set<Class<? extends Op>> LOSS_GRADIENTS = Set.of(CrossEntropyGrad.class, MseGrad.class,
            BceWithLogitsGrad.class);

    private static final Set<Class<? extends Op>> FREE = Set.of(Input.class, Param.class);

    private final Map<Class<? extends Op>, Rule> rules = new LinkedHashMap<>();

    /** The table of the CPU runtime's kernels. */
    public CpuKernels() {
        for (Class<? extends Op> op : List.of(Conv2d.class, ConvBiasActivation.class, Conv2dGradInput.class,
                Conv2dGradWeight.class, Pool2d.class, Pool2dGrad.class, GlobalAvgPool.class, GlobalAvgPoolGrad.class)) {
            rules.put(op, (n, p) -> Convolutions.emit(p, n));
        }
        for (Class<? extends Op> op : List.of(BatchNorm.class, BatchNormReluMaxPool.class, BatchNormInference.class,
                BatchNormInferenceGradInput.class, BatchNormFoldWeight.class,
                BatchNormFoldBias.class, LayerNorm.class, LayerNormGradInput.class, LayerNormGradGamma.class)) {
            rules.put(op, (n, p) -> Normalizations.emit(p, n));
        }
        for (Class<? extends Op> op : List.of(BatchNormGradInput.class, BatchNormGradGamma.class,
                BatchNormReluGradBeta.class)) {
            rules.put(op, CpuKernels::batchNormBackward);
        }
        rules.put(BatchNormReluMaxPoolGrad.class, CpuKernels::batchNormBackward);
        rules.put(Dense.class, CpuKernels::dense);
        rules.put(MatMul.class, CpuKernels::matMul);
        rules.put(BiasAdd.class, CpuKernels::biasAdd);
        rules.put(Activation.class, CpuKernels::activation);
        rules.put(ActivationGrad.class, CpuKernels::activationGrad);
        rules.put(Softmax.class, CpuKernels::softmax);
        rules.put(LogSoftmax.class, CpuKernels::softmax);
        rules.put(SoftmaxGrad.class, CpuKernels::softmaxGrad);
        rules.put(LogSoftmaxGrad.class, CpuKernels::softmaxGrad);
        rules.put(DropoutMask.class, CpuKernels::dropoutMask);
        rules.put(Binary.class, CpuKernels::binary);
        rules.put(Scale.class, CpuKernels::scale);
        rules.put(Constant.class, CpuKernels::constant);
        rules.put(FusedElementwise.class, (n, p) -> ElementwiseLoop.emit((FusedElementwise) n.op(),
                n.inputs().stream().map(p::field).toList(), p.field(n.id()), n.type()));
        rules.put(Concat.class, BandCalls.CPU::concat);
        rules.put(Slice.class, BandCalls.CPU::slice);
        rules.put(Embedding.class, CpuKernels::embedding);
        rules.put(EmbeddingGrad.class, CpuKernels::embeddingGrad);
        rules.put(CrossEntropy.class, CpuKernels::crossEntropy);
        rules.put(CrossEntropyGrad.class, CpuKernels::crossEntropyGrad);
        rules.put(MseLoss.class, CpuKernels::regressionLoss);
        rules.put(BceWithLogits.class, CpuKernels::regressionLoss);
        rules.put(MseGrad.class, CpuKernels::regressionLossGrad);
        rules.put(BceWithLogitsGrad.class, CpuKernels::regressionLossGrad);
        rules.put(MatMulGradInput.class, CpuKernels::matMulGradInput);
        rules.put(MatMulGradWeight.class, CpuKernels::matMulGradWeight);
        rules.put(BiasGrad.class, CpuKernels::biasGrad);
        rules.put(Recurrent.class, Sequences.CPU::recurrent);
        rules.put(RecurrentGrad.class, Sequences.CPU::recurrentGrad);
        rules.put(AdditiveAttention.class, Attentions.CPU::attention);
        rules.put(AttentionWeights.class, Attentions.CPU::weights);
        rules.put(AdditiveAttentionGrad.class, Attentions.CPU::gradient);
        rules.put(AttentionDecoder.class, Decoders.CPU::decoder);
        rules.put(DecoderWeights.class, Decoders.CPU::weights);
        rules.put(AttentionDecoderGrad.class, Decoders.CPU::gradient);
        rules.put(ShiftRight.class, StepCalls.CPU::shiftRight);
        rules.put(LastStep.class, StepCalls.CPU::last);
        rules.put(LastStepGrad.class, StepCalls.CPU::lastGrad);
    }

    @Override
    public CodeBlock emit(Node n, ProgramView p) throws CodegenException {
        Rule rule = rules.get(n.op().getClass());
        if (rule == null) {
            throw unsupported(n, "`" + n.op().mnemonic() + "` on the CPU");
        }
        List<Node> group = p.callGroup(n.id());
        boolean callsItsGroup = n.op() instanceof CrossEntropy || n.op() instanceof RecurrentGrad
                || n.op() instanceof AdditiveAttentionGrad || n.op() instanceof AttentionDecoderGrad;
        return group.isEmpty() || callsItsGroup ? rule.emit(n, p) : batchNormBackward(group, p);
    }

    @Override
    public Set<Class<? extends Op>> emitted() {
        return Collections.unmodifiableSet(rules.keySet());
    }

    @Override
    public Set<Class<? extends Op>> free() {
        return FREE;
    }

    private static CodeBlock dense(Node n, ProgramView p) {
        Dense d = (Dense) n.op();
        List<Integer> in = n.inputs();
        TensorType x = p.type(in.get(0));
        return stmt("$T.forward($L, $L, $L, $L, $L, $L, $L, $T.$L, $Lf)", RuntimeNames.DENSE, p.field(in.get(0)),
                p.field(in.get(1)), p.field(in.get(2)), p.field(n.id()), Sizes.rows(x), Sizes.last(x),
                Sizes.last(n.type()), RuntimeNames.ACTIVATION, d.activation(), (float) d.alpha());
    }

    private static CodeBlock matMul(Node n, ProgramView p) {
        List<Integer> in = n.inputs();
        TensorType x = p.type(in.get(0));
        return stmt("$T.forward($L, $L, null, $L, $L, $L, $L, $T.IDENTITY, 0f)", RuntimeNames.DENSE,
                p.field(in.get(0)), p.field(in.get(1)), p.field(n.id()), Sizes.rows(x), Sizes.last(x),
                Sizes.last(n.type()), RuntimeNames.ACTIVATION);
    }

    private static CodeBlock biasAdd(Node n, ProgramView p) throws CodegenException {
        BiasAdd b = (BiasAdd) n.op();
        List<Integer> in = n.inputs();
        TensorType t = n.type();
        String y = p.field(n.id());
        if ((b.axis() == 1 || b.axis() == 1 - t.rank()) && t.rank() > 2) {
            return stmt("$T.addChannelBias($L, $L, $L, n, $L, $L)", RuntimeNames.ELEMENTWISE, p.field(in.get(0)),
                    p.field(in.get(1)), y, t.dim(1).bound(), Sizes.spatial(t));
        }
        if (b.axis() != -1 && b.axis() != t.rank() - 1) {
            throw unsupported(n, "a bias along an axis other than the last");
        }
        return CodeBlock.builder()
                .addStatement("$T.copy($L, $L, $L)", RuntimeNames.ELEMENTWISE, p.field(in.get(0)), y, Sizes.count(t))
                .addStatement("$T.biasForward($T.IDENTITY, 0f, $L, $L, $L, $L)", RuntimeNames.ACTIVATIONS,
                        RuntimeNames.ACTIVATION, y, p.field(in.get(1)), Sizes.rows(t), Sizes.last(t))
                .build();
    }

    private static CodeBlock activation(Node n, ProgramView p) {
        Activation a = (Activation) n.op();
        return stmt("$T.forward($T.$L, $Lf, $L, $L, $L)", RuntimeNames.ACTIVATIONS, RuntimeNames.ACTIVATION,
                a.kind(), (float) a.alpha(), p.field(n.inputs().get(0)), p.field(n.id()), Sizes.count(n.type()));
    }

    private static CodeBlock activationGrad(Node n, ProgramView p) {
        ActivationGrad a = (ActivationGrad) n.op();
        List<Integer> in = n.inputs();
        return stmt("$T.backward($T.$L, $Lf, $L, $L, $L, $L)", RuntimeNames.ACTIVATIONS, RuntimeNames.ACTIVATION,
                a.kind(), (float) a.alpha(), p.field(in.get(1)), p.field(in.get(0)), p.field(n.id()),
                Sizes.count(n.type()));
    }

    private static CodeBlock softmax(Node n, ProgramView p) throws CodegenException {
        boolean plain = n.op() instanceof Softmax;
        requireLastAxis(n, plain ? ((Softmax) n.op()).axis() : ((LogSoftmax) n.op()).axis(), n.type());
        TensorType t = n.type();
        return stmt("$T.$L($L, $L, $L, $L)", RuntimeNames.SOFTMAX, plain ? "forward" : "logForward",
                p.field(n.inputs().get(0)), p.field(n.id()), Sizes.rows(t), Sizes.last(t));
    }

    private static CodeBlock softmaxGrad(Node n, ProgramView p) throws CodegenException {
        boolean plain = n.op() instanceof SoftmaxGrad;
        requireLastAxis(n, plain ? ((SoftmaxGrad) n.op()).axis() : ((LogSoftmaxGrad) n.op()).axis(), n.type());
        List<Integer> in = n.inputs();
        TensorType t = n.type();
        return stmt("$T.$L($L, $L, $L, $L, $L)", RuntimeNames.SOFTMAX, plain ? "backward" : "logBackward",
                p.field(in.get(1)), p.field(in.get(0)), p.field(n.id()), Sizes.rows(t), Sizes.last(t));
    }

    private static CodeBlock dropoutMask(Node n, ProgramView p) {
        return stmt("$T.mask($L, $L, $Lf, rng)", RuntimeNames.DROPOUT, p.field(n.id()), Sizes.count(n.type()),
                (float) ((DropoutMask) n.op()).rate());
    }

    private static CodeBlock binary(Node n, ProgramView p) {
        String kernel = ((Binary) n.op()).kind().name().toLowerCase(Locale.ROOT);
        List<Integer> in = n.inputs();
        return stmt("$T.$L($L, $L, $L, $L)", RuntimeNames.ELEMENTWISE, kernel, p.field(in.get(0)), p.field(in.get(1)),
                p.field(n.id()), Sizes.count(n.type()));
    }

    private static CodeBlock scale(Node n, ProgramView p) {
        String y = p.field(n.id());
        CodeBlock count = Sizes.count(n.type());
        return CodeBlock.builder()
                .addStatement("$T.copy($L, $L, $L)", RuntimeNames.ELEMENTWISE, p.field(n.inputs().get(0)), y, count)
                .addStatement("$T.scale($L, $L, $Lf)", RuntimeNames.ELEMENTWISE, y, count,
                        (float) ((Scale) n.op()).factor())
                .build();
    }

    /** A constant; the loss's seed of 1 needs no fill when every reader is a loss gradient, which assumes it. */
    private static CodeBlock constant(Node n, ProgramView p) {
        List<Node> users = p.users(n.id());
        boolean implicit = ((Constant) n.op()).value() == 1 && !users.isEmpty() && users.stream().allMatch(
                u -> LOSS_GRADIENTS.contains(u.op().getClass()) && u.inputs().get(u.inputs().size() - 1) == n.id());
        if (implicit) {
            return CodeBlock.of("// The loss's gradient seed is 1, which the loss gradient kernels assume.\n");
        }
        return stmt("$T.fill($L, $L, $Lf)", RuntimeNames.ELEMENTWISE, p.field(n.id()), Sizes.count(n.type()),
                (float) ((Constant) n.op()).value());
    }

    /** One table row per id; the ids of every example are rows of one lookup. */
    private static CodeBlock embedding(Node n, ProgramView p) {
        List<Integer> in = n.inputs();
        TensorType table = p.type(in.get(1));
        return stmt("$T.forward($L, $L, $L, $L, $L, $L)", RuntimeNames.EMBEDDING, p.field(in.get(0)),
                p.field(in.get(1)), p.field(n.id()), Sizes.count(p.type(in.get(0))), table.dim(0).bound(),
                Sizes.last(table));
    }

    private static CodeBlock embeddingGrad(Node n, ProgramView p) {
        List<Integer> in = n.inputs();
        if (((EmbeddingGrad) n.op()).sparse()) {
            return CodeBlock.builder()
                    .add("// sparse: only the rows of the batch's ids, listed in $L (see the update)\n",
                            SparseGradients.rowsField(n.id()))
                    .addStatement("$T.backwardRows($L, $L, $L, $L, $L, $L, $L)", RuntimeNames.EMBEDDING,
                            p.field(in.get(1)), p.field(in.get(0)), p.field(n.id()), SparseGradients.rowsField(n.id()),
                            Sizes.count(p.type(in.get(1))), ((EmbeddingGrad) n.op()).vocab(), Sizes.last(n.type()))
                    .build();
        }
        return stmt("$T.backward($L, $L, $L, $L, $L, $L)", RuntimeNames.EMBEDDING, p.field(in.get(1)),
                p.field(in.get(0)), p.field(n.id()), Sizes.count(p.type(in.get(1))), ((EmbeddingGrad) n.op()).vocab(),
                Sizes.last(n.type()));
    }

    /** The loss, and its gradient too when the two form one call (see {@code CallGroups}). */
    private static CodeBlock crossEntropy(Node n, ProgramView p) {
        List<Integer> in = n.inputs();
        int classes = Sizes.last(p.type(in.get(0)));
        Optional<String> gradient = p.callGroup(n.id()).stream().filter(m -> m.op() instanceof CrossEntropyGrad)
                .map(m -> p.field(m.id())).findFirst();
        CodeBlock rows = Sizes.rows(p.type(in.get(0)));
        String ignore = ignored(((CrossEntropy) n.op()).ignore());
        // Without a gradient, the loss-only kernel: a call of its own, so that the JIT's profile of the
        // training step's loss never sees a missing gradient (which would deoptimize it at the first evaluation).
        CodeBlock loss = gradient.isPresent()
                ? CodeBlock.of("$T.softmaxCrossEntropy($L, $L, $L, $L, $L$L)", RuntimeNames.LOSSES, p.field(in.get(0)),
                        p.field(in.get(1)), gradient.get(), rows, classes, ignore)
                : CodeBlock.of("$T.softmaxCrossEntropyLoss($L, $L, $L, $L$L)", RuntimeNames.LOSSES, p.field(in.get(0)),
                        p.field(in.get(1)), rows, classes, ignore);
        CodeBlock.Builder code = CodeBlock.builder().addStatement("$L.set(0, $L)", p.field(n.id()), loss);
        if (p.countsAccuracy(n.id())) {
            code.addStatement("correct = $T.countCorrect($L, $L, $L, $L$L)", RuntimeNames.LOSSES, p.field(in.get(0)),
                    p.field(in.get(1)), rows, classes, ignore);
        }
        return code.build();
    }

    private static CodeBlock crossEntropyGrad(Node n, ProgramView p) {
        List<Integer> in = n.inputs();
        return scaled(n, p, CodeBlock.of("$T.softmaxCrossEntropy($L, $L, $L, $L, $L$L)", RuntimeNames.LOSSES,
                p.field(in.get(0)), p.field(in.get(1)), p.field(n.id()), Sizes.rows(n.type()), Sizes.last(n.type()),
                ignored(((CrossEntropyGrad) n.op()).ignore())));
    }

    /** The last argument of the loss kernels that ignore a label, or nothing. */
    private static String ignored(OptionalInt ignore) {
        return ignore.isPresent() ? ", " + ignore.getAsInt() : "";
    }

    private static CodeBlock regressionLoss(Node n, ProgramView p) {
        List<Integer> in = n.inputs();
        return stmt("$L.set(0, $T.$L($L, $L, null, null, $L))", p.field(n.id()), RuntimeNames.LOSSES,
                n.op() instanceof MseLoss ? "mse" : "bceWithLogits", p.field(in.get(0)), p.field(in.get(1)),
                Sizes.count(p.type(in.get(0))));
    }

    private static CodeBlock regressionLossGrad(Node n, ProgramView p) {
        List<Integer> in = n.inputs();
        return scaled(n, p, CodeBlock.of("$T.$L($L, $L, $L, null, $L)", RuntimeNames.LOSSES,
                n.op() instanceof MseGrad ? "mse" : "bceWithLogits", p.field(in.get(0)), p.field(in.get(1)),
                p.field(n.id()), Sizes.count(n.type())));
    }

    private static CodeBlock matMulGradInput(Node n, ProgramView p) {
        List<Integer> in = n.inputs();
        TensorType dy = p.type(in.get(0));
        return stmt("$T.backwardInput($L, $L, $L, $L, $L, $L, false)", RuntimeNames.DENSE, p.field(in.get(0)),
                p.field(in.get(1)), p.field(n.id()), Sizes.rows(dy), Sizes.last(n.type()), Sizes.last(dy));
    }

    private static CodeBlock matMulGradWeight(Node n, ProgramView p) {
        List<Integer> in = n.inputs();
        TensorType dy = p.type(in.get(0));
        TensorType x = p.type(in.get(1));
        return stmt("$T.backwardWeights($L, $L, $L, $L, $L, $L, false)", RuntimeNames.DENSE, p.field(in.get(0)),
                p.field(in.get(1)), p.field(n.id()), Sizes.rows(dy), Sizes.last(x), Sizes.last(dy));
    }

    private static CodeBlock biasGrad(Node n, ProgramView p) throws CodegenException {
        BiasGrad b = (BiasGrad) n.op();
        TensorType dy = p.type(n.inputs().get(0));
        String g = p.field(n.inputs().get(0));
        if ((b.axis() == 1 || b.axis() == 1 - dy.rank()) && dy.rank() > 2) {
            return stmt("$T.backwardBias($L, $L, n, $L, $L, false$L)", RuntimeNames.CONV2D, g, p.field(n.id()),
                    dy.dim(1).bound(), Sizes.spatial(dy), LayoutArgs.of(p.graph().layout(n.inputs().get(0))));
        }
        requireLastAxis(n, b.axis(), dy);
        return stmt("$T.backwardBias($L, $L, $L, $L, false)", RuntimeNames.DENSE, g, p.field(n.id()), Sizes.rows(dy),
                Sizes.last(dy));
    }

    private static CodeBlock batchNormBackward(Node n, ProgramView p) throws CodegenException {
        return batchNormBackward(List.of(n), p);
    }

    /**
     * The gradients of one batch normalization, with respect to its input, gamma and beta, in one
     * call (see {@code CallGroups}), or those of them a program needs; the statistics are those
     * the forward call saved, or recomputed from x where it saved none.
     */
    private static CodeBlock batchNormBackward(List<Node> members, ProgramView p) throws CodegenException {
        if (members.get(0).op() instanceof BatchNormReluMaxPoolGrad) {
            return batchNormPoolBackward(members, p);
        }
        String dx = "null";
        String dgamma = "null";
        String dbeta = "null";
        String gamma = "null";
        String x = null;
        String y = "null";
        boolean relu = false;
        double eps = 0;
        Node first = members.get(0);
        for (Node m : members) {
            if (m.op() instanceof BatchNormGradInput g) {
                dx = p.field(m.id());
                x = p.field(m.inputs().get(1));
                gamma = p.field(m.inputs().get(2));
                relu = g.relu();
                eps = g.eps();
                y = relu ? p.field(m.inputs().get(3)) : y;
            } else if (m.op() instanceof BatchNormGradGamma g) {
                dgamma = p.field(m.id());
                x = p.field(m.inputs().get(1));
                relu = g.relu();
                eps = g.eps();
                y = relu ? p.field(m.inputs().get(2)) : y;
            } else {
                dbeta = p.field(m.id());
            }
        }
        if (x == null) {
            throw unsupported(first, "a batchnorm beta gradient alone");
        }
        TensorType dy = p.type(first.inputs().get(0));
        String saved = members.stream().map(p::savedStatistics).filter(f -> !f.equals("null")).findFirst()
                .orElse("null");
        // The call's activations share one layout (LayoutAssignment links them): that of dy.
        return stmt("$T.backward($L, $L, $L, $L, $L, $L, $L, $L, n, $L, $L, $Lf, $L, false, false$L)",
                RuntimeNames.BATCH_NORM, x, y, p.field(first.inputs().get(0)), gamma, saved, dx, dgamma, dbeta,
                dy.dim(1).bound(), Sizes.spatial(dy), (float) eps, relu,
                LayoutArgs.of(p.graph().layout(first.inputs().get(0))));
    }

    /**
     * The gradients of one fused batchnorm, ReLU and max pooling, with respect to its input, gamma
     * and beta, in one call, or those of them a program needs; all read dp, x, gamma and beta.
     */
    private static CodeBlock batchNormPoolBackward(List<Node> members, ProgramView p) {
        String dx = "null";
        String dgamma = "null";
        String dbeta = "null";
        Node first = members.get(0);
        BatchNormReluMaxPool forward = ((BatchNormReluMaxPoolGrad) first.op()).forward();
        for (Node m : members) {
            switch (((BatchNormReluMaxPoolGrad) m.op()).wrt()) {
                case INPUT -> dx = p.field(m.id());
                case GAMMA -> dgamma = p.field(m.id());
                case BETA -> dbeta = p.field(m.id());
            }
        }
        List<String> in = first.inputs().stream().map(p::field).toList();
        String geometry = p.geometries().pool(forward.pool(), p.type(first.inputs().get(1)), first.origin().path());
        // dx shares x's layout (LayoutAssignment links them), `in` of the call; dp's is its `out`.
        return stmt("$T.backward($L, $L, $L, $L, $L, $L, $L, $L, $L, n, $Lf$L)", RuntimeNames.BATCH_NORM_POOL,
                in.get(1), in.get(0), in.get(2), in.get(3), p.savedStatistics(first), geometry, dx, dgamma, dbeta,
                (float) forward.eps(), LayoutArgs.of(p.graph().layout(first.inputs().get(1)),
                        p.graph().layout(first.inputs().get(0))));
    }

    /**
     * A loss gradient: the kernel assumes an upstream gradient of 1, which the seed of the loss is;
     * any other upstream scalar (a weighted loss) scales the result.
     */
    private static CodeBlock scaled(Node n, ProgramView p, CodeBlock kernelCall) {
        int upstream = n.inputs().get(n.inputs().size() - 1);
        CodeBlock.Builder code = CodeBlock.builder().addStatement("$L", kernelCall);
        if (!(p.node(upstream).op() instanceof Constant c && c.value() == 1)) {
            code.addStatement("$T.scale($L, $L, $L.get(0))", RuntimeNames.ELEMENTWISE, p.field(n.id()),
                    Sizes.count(n.type()), p.field(upstream));
        }
        return code.build();
    }

    private static void requireLastAxis(Node n, int axis, TensorType t) throws CodegenException {
        if (axis != -1 && axis != t.rank() - 1) {
            throw unsupported(n, "`" + n.op().mnemonic() + "` along an axis other than the last");
        }
    }

    private static CodegenException unsupported(Node n, String what) {
        return new CodegenException("code generation for " + what + " is not supported yet", n.origin());
    }
}
