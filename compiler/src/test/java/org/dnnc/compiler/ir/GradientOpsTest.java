package org.dnnc.compiler.ir;

import static org.dnnc.compiler.ir.OpCase.accepts;
import static org.dnnc.compiler.ir.OpCase.rejects;

import java.util.stream.Stream;

/** Typing of the ops that differentiation introduces. */
class GradientOpsTest extends OpTypingContract {

    static Stream<OpCase> accepted() {
        return Stream.of(
                accepts(new Constant(1, TensorType.scalar(DType.F32)), "f32[]"),
                accepts(new DropoutMask(0.5), "f32[N,16]", "f32[N,16]"),
                accepts(new Slice(-1, 2, 3), "f32[N,3]", "f32[N,8]"),
                accepts(new Slice(1, 0, 2), "f32[N,2,5]", "f32[N,4,5]"),
                accepts(new MatMulGradInput(), "f32[N,784]", "f32[N,256]", "f32[256,784]"),
                accepts(new MatMulGradInput(), "f32[N,T,4]", "f32[N,T,8]", "f32[8,4]"),
                accepts(new MatMulGradWeight(), "f32[256,784]", "f32[N,256]", "f32[N,784]"),
                accepts(new MatMulGradWeight(), "f32[8,4]", "f32[N,T,8]", "f32[N,T,4]"),
                accepts(new BiasGrad(-1), "f32[10]", "f32[N,10]"),
                accepts(new BiasGrad(1), "f32[16]", "f32[N,16,7,7]"),
                accepts(new ActivationGrad(ActivationKind.RELU, 0), "f32[N,5]", "f32[N,5]", "f32[N,5]"),
                accepts(new ActivationGrad(ActivationKind.LEAKY_RELU, 0.01), "f32[N,5]", "f32[N,5]", "f32[N,5]"),
                accepts(new SoftmaxGrad(1), "f32[N,10]", "f32[N,10]", "f32[N,10]"),
                accepts(new LogSoftmaxGrad(-1), "f32[N,10]", "f32[N,10]", "f32[N,10]"),
                accepts(new CrossEntropyGrad(), "f32[N,10]", "f32[N,10]", "i32[N]", "f32[]"),
                accepts(new MseGrad(), "f32[N,3]", "f32[N,3]", "f32[N,3]", "f32[]"),
                accepts(new BceWithLogitsGrad(), "f32[N,1]", "f32[N,1]", "f32[N,1]", "f32[]"),
                accepts(new Conv2dGradInput(SAME_STRIDE_2, 28, 28), "f32[N,1,28,28]", "f32[N,16,14,14]", "f32[16,1,3,3]"),
                accepts(new Conv2dGradWeight(SAME_STRIDE_2, 3, 3), "f32[16,1,3,3]", "f32[N,16,14,14]", "f32[N,1,28,28]"),
                accepts(new Pool2dGrad(MAX_2), "f32[N,4,8,8]", "f32[N,4,4,4]", "f32[N,4,8,8]"),
                accepts(new GlobalAvgPoolGrad(7, 7), "f32[N,32,7,7]", "f32[N,32]"),
                accepts(new EmbeddingGrad(1000), "f32[1000,64]", "f32[N,T,64]", "i32[N,T]"),
                accepts(new EmbeddingGrad(10), "f32[10,4]", "f32[N,4]", "i32[N]"),
                accepts(new RecurrentGrad(GRU_8, RecurrentGrad.Wrt.X), "f32[N,T,4]",
                        "f32[N,8]", "f32[N,8]", "f32[N,T,4]", "f32[24,4]", "f32[24,8]", "f32[24]", "f32[24]"),
                accepts(new RecurrentGrad(LSTM_8_SEQUENCES, RecurrentGrad.Wrt.W_HH), "f32[32,8]",
                        "f32[N,10,8]", "f32[N,10,8]", "f32[N,10,4]", "f32[32,4]", "f32[32,8]", "f32[32]", "f32[32]"),
                accepts(new RecurrentGrad(new Recurrent(CellKind.RNN_TANH, 8, true, true, true), RecurrentGrad.Wrt.X),
                        "f32[N,T,4]", "f32[N,T,8]", "f32[N,T,8]", "f32[N,T,4]", "f32[8,4]", "f32[8,8]", "f32[8]", "f32[8]",
                        "i32[N]"),
                accepts(new RecurrentGrad(GRU_8, RecurrentGrad.Wrt.B_IH), "f32[24]",
                        "f32[N,8]", "f32[N,8]", "f32[N,T,4]", "f32[24,4]", "f32[24,8]", "f32[24]", "f32[24]"),
                accepts(new AdditiveAttentionGrad(ATTENTION_4, AdditiveAttentionGrad.Wrt.W), "f32[4,5]",
                        "f32[N,2]", "f32[N,2]", "f32[N,3]", "f32[N,T,2]", "f32[4,5]", "f32[4]"),
                accepts(new AdditiveAttentionGrad(new AdditiveAttention(4, true), AdditiveAttentionGrad.Wrt.VALUES),
                        "f32[N,T,2]", "f32[N,6,2]", "f32[N,6,2]", "f32[N,6,3]", "f32[N,T,2]", "f32[4,5]", "f32[4]",
                        "i32[N]"),
                accepts(new LastStepGrad(new LastStep(true), Dim.of(5)), "f32[N,5,8]", "f32[N,8]", "i32[N]"),
                accepts(new RecurrentGrad(new Recurrent(CellKind.GRU, 8, false, false, false, true),
                        RecurrentGrad.Wrt.INITIAL_STATE), "f32[N,8]", "f32[N,8]", "f32[N,8]", "f32[N,T,4]", "f32[24,4]",
                        "f32[24,8]", "f32[24]", "f32[24]", "f32[N,8]"),
                accepts(new AttentionDecoderGrad(new AttentionDecoder(6, 7, true, false),
                        AttentionDecoderGrad.Wrt.INITIAL_STATE), "f32[N,6]", "f32[N,S,10]", "f32[N,S,10]", "f32[N,S,5]",
                        "f32[N,T,4]", "f32[18,9]", "f32[18,6]", "f32[18]", "f32[18]", "f32[7,10]", "f32[7]", "f32[N,6]"),
                accepts(new BatchNormInference(1e-5), "f32[N,16,5,5]", "f32[N,16,5,5]", "f32[16]", "f32[16]", "f32[16]", "f32[16]"),
                accepts(new BatchNormGradInput(1e-5), "f32[N,16,5,5]", "f32[N,16,5,5]", "f32[N,16,5,5]", "f32[16]"),
                accepts(new BatchNormInferenceGradInput(1e-5), "f32[N,16,5,5]", "f32[N,16,5,5]", "f32[16]", "f32[16]"),
                accepts(new BatchNormGradGamma(1e-5), "f32[16]", "f32[N,16,5,5]", "f32[N,16,5,5]"),
                accepts(new LayerNormGradInput(1e-5), "f32[N,T,8]", "f32[N,T,8]", "f32[N,T,8]", "f32[8]"),
                accepts(new LayerNormGradGamma(1e-5), "f32[8]", "f32[N,T,8]", "f32[N,T,8]"),
                accepts(new BatchNormGradInput(1e-5, true), "f32[N,16,5,5]", "f32[N,16,5,5]", "f32[N,16,5,5]", "f32[16]",
                        "f32[N,16,5,5]"),
                accepts(new BatchNormGradGamma(1e-5, true), "f32[16]", "f32[N,16,5,5]", "f32[N,16,5,5]", "f32[N,16,5,5]"),
                accepts(new BatchNormReluGradBeta(), "f32[16]", "f32[N,16,5,5]", "f32[N,16,5,5]"));
    }

    private static final Conv2d SAME_STRIDE_2 = new Conv2d(2, 2, 0, 0, 1, 1);
    private static final Pool2d MAX_2 = new Pool2d(PoolKind.MAX, 2, 2, 2, 2, 0, 0);
    private static final AdditiveAttention ATTENTION_4 = new AdditiveAttention(4);
    private static final Recurrent GRU_8 = new Recurrent(CellKind.GRU, 8, false, false);
    private static final Recurrent LSTM_8_SEQUENCES = new Recurrent(CellKind.LSTM, 8, true, false);

    static Stream<OpCase> rejected() {
        return Stream.of(
                rejects(new Constant(Double.NaN, TensorType.scalar(DType.F32)), "constant: value must be a finite number, got NaN"),
                rejects(new DropoutMask(0), "dropout_mask: rate must be above 0 and below 1, got 0.0", "f32[N,4]"),
                rejects(new Slice(-1, 6, 3), "slice: slice [6, 9) is outside axis -1 of f32[N,8]", "f32[N,8]"),
                rejects(new MatMulGradInput(), "matmul_grad_input: gradient has 10 features but the weight has 256 rows"
                        + " (f32[N,10] x f32[256,784])", "f32[N,10]", "f32[256,784]"),
                rejects(new MatMulGradWeight(), "matmul_grad_weight: gradient and input differ in their leading dimensions"
                        + " (f32[N,T,8] vs f32[N,4])", "f32[N,T,8]", "f32[N,4]"),
                rejects(new BiasGrad(2), "bias_grad: axis 2 is out of range for f32[N,10] (rank 2)", "f32[N,10]"),
                rejects(new ActivationGrad(ActivationKind.LEAKY_RELU, 0), "leaky_relu_grad: leaky_relu's gradient from"
                        + " its output needs a positive slope, got 0.0", "f32[N,5]", "f32[N,5]"),
                rejects(new SoftmaxGrad(1), "softmax_grad: shapes differ: f32[N,10] vs f32[N,5]", "f32[N,10]", "f32[N,5]"),
                rejects(new LogSoftmaxGrad(1), "log_softmax_grad: gradient must be f32, got i32[N,10]", "i32[N,10]", "i32[N,10]"),
                rejects(new CrossEntropyGrad(), "cross_entropy_grad: loss gradient should be f32[], got f32[N]",
                        "f32[N,10]", "i32[N]", "f32[N]"),
                rejects(new MseGrad(), "mse: shapes differ: f32[N,3] vs f32[N,2]", "f32[N,3]", "f32[N,2]", "f32[]"),
                rejects(new BceWithLogitsGrad(), "bce_with_logits_grad: loss gradient should be f32[], got i32[]",
                        "f32[N,1]", "f32[N,1]", "i32[]"),
                rejects(new Conv2dGradInput(SAME_STRIDE_2, 28, 28), "conv2d_grad_input: gradient should be f32[N,16,14,14], got f32[N,16,13,13]", "f32[N,16,13,13]", "f32[16,1,3,3]"),
                rejects(new Conv2dGradWeight(SAME_STRIDE_2, 3, 3), "conv2d_grad_weight: gradient should be f32[N,16,10,10], got f32[N,16,14,14]", "f32[N,16,14,14]", "f32[N,1,20,20]"),
                rejects(new Pool2dGrad(MAX_2), "maxpool2d_grad: gradient should be f32[N,4,4,4], got f32[N,4,5,5]", "f32[N,4,5,5]", "f32[N,4,8,8]"),
                rejects(new GlobalAvgPoolGrad(7, 7), "global_avgpool_grad: gradient must have rank 2 [N,C], got f32[N,32,1,1]", "f32[N,32,1,1]"),
                rejects(new EmbeddingGrad(1000), "embedding_grad: gradient should be f32[N,T,64], got f32[N,5,64]",
                        "f32[N,5,64]", "i32[N,T]"),
                rejects(new EmbeddingGrad(1000), "embedding_grad: ids must be i32, got f32[N,T]", "f32[N,T,64]", "f32[N,T]"),
                rejects(new EmbeddingGrad(0), "embedding_grad: vocab must be positive, got 0", "f32[N,4]", "i32[N]"),
                rejects(new RecurrentGrad(GRU_8, RecurrentGrad.Wrt.X), "gru_grad: gradient should be f32[N,8], got f32[N,T,8]",
                        "f32[N,T,8]", "f32[N,8]", "f32[N,T,4]", "f32[24,4]", "f32[24,8]", "f32[24]", "f32[24]"),
                rejects(new RecurrentGrad(LSTM_8_SEQUENCES, RecurrentGrad.Wrt.X),
                        "lstm_grad: forward result should be f32[N,10,8], got f32[N,8]",
                        "f32[N,10,8]", "f32[N,8]", "f32[N,10,4]", "f32[32,4]", "f32[32,8]", "f32[32]", "f32[32]"),
                rejects(new RecurrentGrad(GRU_8, RecurrentGrad.Wrt.W_HH), "gru: w_hh should be f32[24,8], got f32[24,4]",
                        "f32[N,8]", "f32[N,8]", "f32[N,T,4]", "f32[24,4]", "f32[24,4]", "f32[24]", "f32[24]"),
                rejects(new RecurrentGrad(GRU_8, RecurrentGrad.Wrt.X), "gru_grad: expects 7 operands, got 2",
                        "f32[N,8]", "f32[N,8]"),
                rejects(new AdditiveAttentionGrad(ATTENTION_4, AdditiveAttentionGrad.Wrt.QUERY),
                        "additive_attention_grad: gradient should be f32[N,2], got f32[N,3]",
                        "f32[N,3]", "f32[N,2]", "f32[N,3]", "f32[N,T,2]", "f32[4,5]", "f32[4]"),
                rejects(new LastStepGrad(new LastStep(false), Dim.of(5)), "last_grad: gradient must have rank 2 [N,F], got f32[N,5,8]",
                        "f32[N,5,8]"),
                rejects(new RecurrentGrad(GRU_8, RecurrentGrad.Wrt.INITIAL_STATE), "gru_grad: the layer has no initial state",
                        "f32[N,8]", "f32[N,8]", "f32[N,T,4]", "f32[24,4]", "f32[24,8]", "f32[24]", "f32[24]"),
                rejects(new AttentionDecoderGrad(new AttentionDecoder(6, 7, false, false),
                        AttentionDecoderGrad.Wrt.INITIAL_STATE), "attention_decoder_grad: the decoder has no initial state",
                        "f32[N,S,10]", "f32[N,S,10]", "f32[N,S,5]", "f32[N,T,4]", "f32[18,9]", "f32[18,6]", "f32[18]",
                        "f32[18]", "f32[7,10]", "f32[7]"),
                rejects(new BatchNormInference(1e-5), "batchnorm: gamma should be f32[16], got f32[8]", "f32[N,16,5,5]", "f32[8]", "f32[16]", "f32[16]", "f32[16]"),
                rejects(new BatchNormGradInput(1e-5), "batchnorm_grad_input: shapes differ: f32[N,16,5,5] vs f32[N,16,4,4]", "f32[N,16,5,5]", "f32[N,16,4,4]", "f32[16]"),
                rejects(new BatchNormInferenceGradInput(1e-5), "batchnorm_inference_grad_input: running_var should be f32[16], got f32[8]",
                        "f32[N,16,5,5]", "f32[16]", "f32[8]"),
                rejects(new BatchNormGradGamma(0), "batchnorm_grad_gamma: eps must be positive, got 0.0", "f32[N,16]", "f32[N,16]"),
                rejects(new LayerNormGradInput(1e-5), "layernorm_grad_input: gamma must have rank 1 [C], got f32[2,4]", "f32[N,8]", "f32[N,8]", "f32[2,4]"),
                rejects(new LayerNormGradGamma(1e-5), "layernorm_grad_gamma: shapes differ: f32[N,8] vs f32[N,9]", "f32[N,8]", "f32[N,9]"),
                rejects(new BatchNormGradInput(1e-5, true), "batchnorm_relu_grad_input: shapes differ: f32[N,16,5,5] vs f32[N,16,4,4]",
                        "f32[N,16,5,5]", "f32[N,16,5,5]", "f32[16]", "f32[N,16,4,4]"),
                rejects(new BatchNormReluGradBeta(), "batchnorm_relu_grad_beta: shapes differ: f32[N,16,5,5] vs f32[N,16,4,4]",
                        "f32[N,16,5,5]", "f32[N,16,4,4]"));
    }
}
