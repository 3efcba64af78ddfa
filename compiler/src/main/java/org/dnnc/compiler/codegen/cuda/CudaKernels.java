package org.dnnc.compiler.codegen.cuda;

import com.palantir.javapoet.ClassName;
import com.palantir.javapoet.CodeBlock;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalInt;
import java.util.Set;
import org.dnnc.compiler.codegen.CodegenException;
import org.dnnc.compiler.codegen.KernelEmitter;
import org.dnnc.compiler.codegen.ProgramView;
import org.dnnc.compiler.codegen.Sizes;
import org.dnnc.compiler.ir.Activation;
import org.dnnc.compiler.ir.ActivationGrad;
import org.dnnc.compiler.ir.ActivationKind;
import org.dnnc.compiler.ir.AdditiveAttention;
import org.dnnc.compiler.ir.AdditiveAttentionGrad;
import org.dnnc.compiler.ir.AttentionDecoder;
import org.dnnc.compiler.ir.AttentionDecoderGrad;
import org.dnnc.compiler.ir.AttentionWeights;
import org.dnnc.compiler.ir.BatchNorm;
import org.dnnc.compiler.ir.BatchNormFoldBias;
import org.dnnc.compiler.ir.BatchNormFoldWeight;
import org.dnnc.compiler.ir.BatchNormGradGamma;
import org.dnnc.compiler.ir.BatchNormGradInput;
import org.dnnc.compiler.ir.BatchNormInference;
import org.dnnc.compiler.ir.BatchNormInferenceGradInput;
import org.dnnc.compiler.ir.BatchNormReluGradBeta;
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
import org.dnnc.compiler.ir.DecoderWeights;
import org.dnnc.compiler.ir.Dense;
import org.dnnc.compiler.ir.DropoutMask;
import org.dnnc.compiler.ir.Embedding;
import org.dnnc.compiler.ir.EmbeddingGrad;
import org.dnnc.compiler.ir.FusedElementwise;
import org.dnnc.compiler.ir.GlobalAvgPool;
import org.dnnc.compiler.ir.GlobalAvgPoolGrad;
import org.dnnc.compiler.ir.Input;
import org.dnnc.compiler.ir.LastStep;
import org.dnnc.compiler.ir.LastStepGrad;
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
import org.dnnc.compiler.ir.ShiftRight;
import org.dnnc.compiler.ir.Slice;
import org.dnnc.compiler.ir.Softmax;
import org.dnnc.compiler.ir.SoftmaxGrad;
import org.dnnc.compiler.ir.TensorType;

/**
 * The CUDA target's kernel calls: one entry per op class, each a call into {@code
 * org.dnnc.runtime.cuda} with the arguments of its CPU twin after the context. So far the ops of
 * dense networks (GEMMs, bias and activation epilogues, dropout masks, softmax, the losses and
 * fused element-wise chains), of convolutional ones ({@link CudaConvolutions}, {@link
 * CudaNormalizations}), of sequences ({@link CudaSequences}: recurrent layers, additive attention,
 * attention decoders, embeddings, shifting ids, last steps, concat and slice) and layer normalization
 * ({@link CudaLayerNorms}); every other op is refused by name at its source.
 *
 * <p>The statements use these members of the generated class besides the planned views (each a
 * {@code DevBuf} of the device arena) and the batch {@code n}: {@code ctx}, the {@code
 * CudaContext}; {@code rng}, the dropout generator's device state ({@code CudaDropout}); {@code
 * counts}, two floats where the step's counted cross-entropy leaves its correct and counted rows;
 * and one {@code Kernel} field per generated kernel, named as the kernel ({@link
 * FusedKernels}), loaded when the class opens; {@code codegen.CudaClass} declares them in the
 * generated class's CUDA half.
 */
public final class CudaKernels implements KernelEmitter {
    private static final String CUDA = "org.dnnc.runtime.cuda";
    private static final ClassName GEMM = ClassName.get(CUDA, "Gemm");
    private static final ClassName ACTIVATIONS = ClassName.get(CUDA, "CudaActivations");
    private static final ClassName ELEMENTWISE = ClassName.get(CUDA, "CudaElementwise");
    private static final ClassName SOFTMAX = ClassName.get(CUDA, "CudaSoftmax");
    private static final ClassName LOSSES = ClassName.get(CUDA, "CudaLosses");
    private static final ClassName DROPOUT = ClassName.get(CUDA, "CudaDropout");
    /** The CPU's activation enum, which the CUDA launchers take too. */
    private static final ClassName ACTIVATION = ClassName.get("org.dnnc.runtime.cpu", "Activation");
    /** {@code CudaLosses.RESULT_SIZE}: the mean loss, the correct rows and the counted rows. */
    public static final int LOSS_RESULT = 3;
    /** The loss gradients, whose kernels take an upstream gradient of 1 unless given one. */
    private static final Set<Class<? extends Op>> LOSS_GRADIENTS = Set.of(CrossEntropyGrad.class, MseGrad.class,
            BceWithLogitsGrad.class);

    /** One op's emission. */
    private interface Rule {
        CodeBlock emit(Node n, ProgramView p) throws CodegenException;
    }

    private final Map<Class<? extends Op>, Rule> rules = new LinkedHashMap<>();


    /** The table of the CUDA runtime's launchers. */
    public CudaKernels() {
        rules.put(Dense.class, CudaKernels::dense);
        rules.put(MatMul.class, CudaKernels::dense);
        rules.put(MatMulGradInput.class, CudaKernels::matMulGradInput);
        rules.put(MatMulGradWeight.class, CudaKernels::matMulGradWeight);
        rules.put(BiasGrad.class, CudaKernels::biasGrad);
        rules.put(Activation.class, CudaKernels::activation);
        rules.put(ActivationGrad.class, CudaKernels::activationGrad);
        rules.put(Binary.class, CudaKernels::binary);
        rules.put(Scale.class, CudaKernels::scale);
        rules.put(Constant.class, CudaKernels::constant);
        rules.put(DropoutMask.class, CudaKernels::dropoutMask);
        rules.put(Softmax.class, CudaKernels::softmax);
        rules.put(LogSoftmax.class, CudaKernels::softmax);
        rules.put(SoftmaxGrad.class, CudaKernels::softmaxGrad);
        rules.put(LogSoftmaxGrad.class, CudaKernels::softmaxGrad);
        rules.put(CrossEntropy.class, CudaKernels::crossEntropy);
        rules.put(MseLoss.class, CudaKernels::regressionLoss);
        rules.put(BceWithLogits.class, CudaKernels::regressionLoss);
        rules.put(MseGrad.class, CudaKernels::regressionLossGrad);
        rules.put(BceWithLogitsGrad.class, CudaKernels::regressionLossGrad);
        rules.put(FusedElementwise.class, CudaKernels::fused);
        registerConvolutionalRules();
        registerSequenceRules();
    }

    /**
     * Convolutions, pooling, channel biases and batch normalization ({@link CudaConvolutions},
     * {@link CudaNormalizations}).
     */
    private void registerConvolutionalRules() {
        rules.put(Conv2d.class, CudaConvolutions::conv);
        rules.put(ConvBiasActivation.class, CudaConvolutions::convBiasActivation);
        rules.put(Conv2dGradInput.class, CudaConvolutions::gradInput);
        rules.put(Conv2dGradWeight.class, CudaConvolutions::gradWeight);
        rules.put(Pool2d.class, CudaConvolutions::pool);
        rules.put(Pool2dGrad.class, CudaConvolutions::poolGrad);
        rules.put(GlobalAvgPool.class, CudaConvolutions::globalAvgPool);
        rules.put(GlobalAvgPoolGrad.class, CudaConvolutions::globalAvgPoolGrad);
        rules.put(BiasAdd.class, CudaConvolutions::biasAdd);
        rules.put(BatchNorm.class, CudaNormalizations::training);
        rules.put(BatchNormInference.class, CudaNormalizations::inference);
        rules.put(BatchNormInferenceGradInput.class, CudaNormalizations::inferenceGradInput);
        rules.put(BatchNormFoldWeight.class, CudaNormalizations::foldWeight);
        rules.put(BatchNormFoldBias.class, CudaNormalizations::foldBias);
        rules.put(BatchNormGradInput.class, CudaNormalizations::backward);
        rules.put(BatchNormGradGamma.class, CudaNormalizations::backward);
        rules.put(BatchNormReluGradBeta.class, CudaNormalizations::backward);
        // A bias gradient leading a batchnorm's group is its beta gradient; one over channels, a convolution's.
        Rule denseBiasGrad = rules.get(BiasGrad.class);
        rules.put(BiasGrad.class, (n, p) -> !p.callGroup(n.id()).isEmpty() ? CudaNormalizations.backward(n, p)
                : CudaConvolutions.overChannels(n, p) ? CudaConvolutions.channelBiasGrad(n, p)
                : denseBiasGrad.emit(n, p));
    }

    /** Recurrent layers, attention, embeddings, steps, bands and layer normalization ({@link CudaSequences}). */
    private void registerSequenceRules() {
        rules.put(Recurrent.class, CudaSequences.RECURRENT::recurrent);
        rules.put(RecurrentGrad.class, CudaSequences.RECURRENT::recurrentGrad);
        rules.put(Embedding.class, CudaSequences::embedding);
        rules.put(EmbeddingGrad.class, CudaSequences::embeddingGrad);
        rules.put(ShiftRight.class, CudaSequences.STEPS::shiftRight);
        rules.put(LastStep.class, CudaSequences.STEPS::last);
        rules.put(LastStepGrad.class, CudaSequences.STEPS::lastGrad);
        rules.put(Concat.class, CudaSequences.BANDS::concat);
        rules.put(Slice.class, CudaSequences.BANDS::slice);
        rules.put(AdditiveAttention.class, CudaSequences.ATTENTIONS::attention);
        rules.put(AttentionWeights.class, CudaSequences.ATTENTIONS::weights);
        rules.put(AdditiveAttentionGrad.class, CudaSequences.ATTENTIONS::gradient);
        rules.put(AttentionDecoder.class, CudaSequences.DECODERS::decoder);
        rules.put(DecoderWeights.class, CudaSequences.DECODERS::weights);
        rules.put(AttentionDecoderGrad.class, CudaSequences.DECODERS::gradient);
        rules.put(LayerNorm.class, CudaLayerNorms::forward);
        rules.put(LayerNormGradInput.class, CudaLayerNorms::gradInput);
        rules.put(LayerNormGradGamma.class, CudaLayerNorms::gradGamma);
    }

    @Override
    public CodeBlock emit(Node n, ProgramView p) throws CodegenException {
        Rule rule = rules.get(n.op().getClass());
        if (rule == null) {
            throw new CodegenException("the cuda target has no kernel call for `" + n.op().mnemonic()
                    + "` yet; `dnnc emit --target cuda` prints the kernels it generates", n.origin());
        }
        return rule.emit(n, p);
    }

    @Override
    public Set<Class<? extends Op>> emitted() {
        return Collections.unmodifiableSet(rules.keySet());
    }

    @Override
    public Set<Class<? extends Op>> free() {
        return Set.of(Input.class, Param.class);
    }

    /** {@code y = act(x W^T + b)}: one GEMM, then the bias and activation in one pass. */
    private static CodeBlock dense(Node n, ProgramView p) {
        List<Integer> in = n.inputs();
        TensorType x = p.type(in.get(0));
        String y = p.field(n.id());
        CodeBlock rows = Sizes.rows(x);
        int out = Sizes.last(n.type());
        CodeBlock.Builder code = CodeBlock.builder().addStatement("$T.sgemm(ctx, false, true, $L, $L, $L, 1f, $L, $L, 0f,"
                + " $L)", GEMM, rows, out, Sizes.last(x), p.field(in.get(0)), p.field(in.get(1)), y);
        if (n.op() instanceof Dense d) {
            code.addStatement("$T.biasForward(ctx, $T.$L, $Lf, $L, $L, $L, $L)", ACTIVATIONS, ACTIVATION,
                    d.activation(), (float) d.alpha(), y, p.field(in.get(2)), rows, out);
        }
        return code.build();
    }

    /** {@code dx = dy W}. */
    private static CodeBlock matMulGradInput(Node n, ProgramView p) {
        List<Integer> in = n.inputs();
        TensorType dy = p.type(in.get(0));
        return stmt("$T.sgemm(ctx, false, false, $L, $L, $L, 1f, $L, $L, 0f, $L)", GEMM, Sizes.rows(dy),
                Sizes.last(n.type()), Sizes.last(dy), p.field(in.get(0)), p.field(in.get(1)), p.field(n.id()));
    }

    /** {@code dW = dy^T x}. */
    private static CodeBlock matMulGradWeight(Node n, ProgramView p) {
        List<Integer> in = n.inputs();
        TensorType dy = p.type(in.get(0));
        TensorType x = p.type(in.get(1));
        return stmt("$T.sgemm(ctx, true, false, $L, $L, $L, 1f, $L, $L, 0f, $L)", GEMM, Sizes.last(dy), Sizes.last(x),
                Sizes.rows(dy), p.field(in.get(0)), p.field(in.get(1)), p.field(n.id()));
    }

    private static CodeBlock biasGrad(Node n, ProgramView p) throws CodegenException {
        TensorType dy = p.type(n.inputs().get(0));
        int axis = ((BiasGrad) n.op()).axis();
        if (axis != -1 && axis != dy.rank() - 1) {
            throw new CodegenException("the cuda target has no kernel for `bias_grad` along an axis other than the"
                    + " channels or the last yet", n.origin());
        }
        return stmt("$T.biasGrad(ctx, $L, $L, $L, $L, false)", ACTIVATIONS, p.field(n.inputs().get(0)),
                p.field(n.id()), Sizes.rows(dy), Sizes.last(dy));
    }

    private static CodeBlock activation(Node n, ProgramView p) {
        Activation a = (Activation) n.op();
        return stmt("$T.forward(ctx, $T.$L, $Lf, $L, $L, $L)", ACTIVATIONS, ACTIVATION, a.kind(), (float) a.alpha(),
                p.field(n.inputs().get(0)), p.field(n.id()), Sizes.count(n.type()));
    }

    /** Operands dy, y: the launcher takes y first, as its CPU twin. */
    private static CodeBlock activationGrad(Node n, ProgramView p) {
        ActivationGrad a = (ActivationGrad) n.op();
        List<Integer> in = n.inputs();
        return stmt("$T.backward(ctx, $T.$L, $Lf, $L, $L, $L, $L)", ACTIVATIONS, ACTIVATION, a.kind(),
                (float) a.alpha(), p.field(in.get(1)), p.field(in.get(0)), p.field(n.id()), Sizes.count(n.type()));
    }

    private static CodeBlock binary(Node n, ProgramView p) {
        List<Integer> in = n.inputs();
        return stmt("$T.$L(ctx, $L, $L, $L, $L)", ELEMENTWISE, ((Binary) n.op()).kind().name().toLowerCase(Locale.ROOT),
                p.field(in.get(0)), p.field(in.get(1)), p.field(n.id()), Sizes.count(n.type()));
    }

    /** A copy, then the scale in place (the result may share the operand's bytes). */
    private static CodeBlock scale(Node n, ProgramView p) {
        String x = p.field(n.inputs().get(0));
        String y = p.field(n.id());
        CodeBlock count = Sizes.count(n.type());
        CodeBlock.Builder code = CodeBlock.builder();
        if (!x.equals(y)) {
            code.addStatement("ctx.copy($L.slice(0, $L), $L.slice(0, $L))", x, count, y, count);
        }
        return code.addStatement("$T.scale(ctx, $L, $L, $Lf)", ELEMENTWISE, y, count, (float) ((Scale) n.op()).factor())
                .build();
    }

    private static CodeBlock constant(Node n, ProgramView p) {
        List<Node> users = p.users(n.id());
        boolean seed = ((Constant) n.op()).value() == 1 && !users.isEmpty() && users.stream().allMatch(
                u -> LOSS_GRADIENTS.contains(u.op().getClass()) && u.inputs().get(u.inputs().size() - 1) == n.id());
        if (seed) {
            return CodeBlock.of("// The loss's gradient seed is 1, which the loss gradient kernels assume.\n");
        }
        return stmt("$T.fill(ctx, $L, $L, $Lf)", ELEMENTWISE, p.field(n.id()), Sizes.count(n.type()),
                (float) ((Constant) n.op()).value());
    }

    private static CodeBlock dropoutMask(Node n, ProgramView p) {
        return stmt("$T.mask(ctx, $L, $L, $Lf, rng)", DROPOUT, p.field(n.id()), Sizes.count(n.type()),
                (float) ((DropoutMask) n.op()).rate());
    }

    private static CodeBlock softmax(Node n, ProgramView p) throws CodegenException {
        int axis = n.op() instanceof Softmax s ? s.axis() : ((LogSoftmax) n.op()).axis();
        TensorType t = n.type();
        lastAxis(n, axis, t);
        return stmt("$T.$L(ctx, $L, $L, $L, $L)", SOFTMAX, n.op() instanceof Softmax ? "forward" : "logForward",
                p.field(n.inputs().get(0)), p.field(n.id()), Sizes.rows(t), Sizes.last(t));
    }

    private static CodeBlock softmaxGrad(Node n, ProgramView p) throws CodegenException {
        int axis = n.op() instanceof SoftmaxGrad s ? s.axis() : ((LogSoftmaxGrad) n.op()).axis();
        TensorType t = n.type();
        lastAxis(n, axis, t);
        List<Integer> in = n.inputs();
        return stmt("$T.$L(ctx, $L, $L, $L, $L, $L)", SOFTMAX, n.op() instanceof SoftmaxGrad ? "backward" : "logBackward",
                p.field(in.get(1)), p.field(in.get(0)), p.field(n.id()), Sizes.rows(t), Sizes.last(t));
    }

    /**
     * The loss and, in the same pass, the logits' gradient of the call group it leads. The planned
     * scratch holds the per-row sums, then the three floats of the result; the mean loss is copied
     * into the loss's view, the counted rows into {@code counts}.
     */
    private static CodeBlock crossEntropy(Node n, ProgramView p) throws CodegenException {
        List<Integer> in = n.inputs();
        TensorType logits = p.type(in.get(0));
        Node gradient = p.callGroup(n.id()).stream().filter(m -> m.op() instanceof CrossEntropyGrad).findFirst()
                .orElse(null);
        if (gradient != null && !seededWithOne(gradient, p)) {
            throw new CodegenException("the cuda target has no kernel call for a weighted cross-entropy's gradient yet",
                    gradient.origin());
        }
        String scratch = p.scratchField(n.id());
        CodeBlock rows = Sizes.rows(logits);
        OptionalInt ignore = ((CrossEntropy) n.op()).ignore();
        CodeBlock result = CodeBlock.of("$L.slice($T.scratchSize($L), $L)", scratch, LOSSES, rows, LOSS_RESULT);
        CodeBlock.Builder code = CodeBlock.builder().addStatement("$T.softmaxCrossEntropy(ctx, $L, $L, $L, $L, $L$L, $L, $L)",
                LOSSES, p.field(in.get(0)), p.field(in.get(1)), gradient == null ? "null" : p.field(gradient.id()), rows,
                Sizes.last(logits), ignore.isPresent() ? ", " + ignore.getAsInt() : "", scratch, result);
        code.addStatement("ctx.copy($L.slice(0, 1), $L.slice(0, 1))", result, p.field(n.id()));
        if (p.countsAccuracy(n.id())) {
            code.addStatement("ctx.copy($L.slice(1, 2), counts)", result);
        }
        return code.build();
    }

    /** The mean of {@code mse} or {@code bce_with_logits} over all elements, written into the loss's view. */
    private static CodeBlock regressionLoss(Node n, ProgramView p) {
        List<Integer> in = n.inputs();
        return stmt("$T.$L(ctx, $L, $L, null, null, $L, null, $L)", LOSSES, regressionKernel(n.op()),
                p.field(in.get(0)), p.field(in.get(1)), Sizes.count(p.type(in.get(0))), p.field(n.id()));
    }

    /**
     * The prediction's gradient; an upstream gradient other than the seed of 1 (a weighted loss)
     * is read by the kernel from its device view, so the step does not wait for it.
     */
    private static CodeBlock regressionLossGrad(Node n, ProgramView p) {
        List<Integer> in = n.inputs();
        return stmt("$T.$L(ctx, $L, $L, $L, null, $L, $L, null)", LOSSES, regressionKernel(n.op()),
                p.field(in.get(0)), p.field(in.get(1)), p.field(n.id()), Sizes.count(n.type()),
                seededWithOne(n, p) ? "null" : p.field(in.get(2)));
    }

    /** The launcher of a regression loss or its gradient, named as its CPU twin. */
    private static String regressionKernel(Op op) {
        return op instanceof MseLoss || op instanceof MseGrad ? "mse" : "bceWithLogits";
    }

    private static boolean seededWithOne(Node gradient, ProgramView p) {
        int upstream = gradient.inputs().get(gradient.inputs().size() - 1);
        return p.node(upstream).op() instanceof Constant c && c.value() == 1;
    }

    /**
     * The generated kernel of this chain, launched over its elements; with per-channel operands, the
     * result's channels and positions per channel follow the count.
     */
    private static CodeBlock fused(Node n, ProgramView p) {
        CodeBlock.Builder args = CodeBlock.builder().add("ctx.args()");
        n.inputs().forEach(id -> args.add(".ptr($L)", p.field(id)));
        CodeBlock count = Sizes.count(n.type());
        args.add(".ptr($L).i($L)", p.field(n.id()), count);
        if (!((FusedElementwise) n.op()).channels().isEmpty()) {
            args.add(".i($L).i($L)", n.type().dim(1).bound(), Sizes.spatial(n.type()));
        }
        return stmt("ctx.launch($L, $L, $L)", FusedKernels.name(n), count, args.build());
    }

    private static void lastAxis(Node n, int axis, TensorType t) throws CodegenException {
        if (axis != -1 && axis != t.rank() - 1) {
            throw new CodegenException("the cuda target has no kernel call for `" + n.op().mnemonic()
                    + "` along an axis other than the last yet", n.origin());
        }
    }

    private static CodeBlock stmt(String format, Object... args) {
        return CodeBlock.builder().addStatement(format, args).build();
    }
}
