package org.dnnc.compiler.ir;

import static org.dnnc.compiler.ir.OpCase.accepts;
import static org.dnnc.compiler.ir.OpCase.rejects;

import java.util.List;
import java.util.stream.Stream;
import org.dnnc.compiler.ir.FusedElementwise.Ref;
import org.dnnc.compiler.ir.FusedElementwise.Step;

/** Typing of the ops that fusion introduces. */
class FusedOpsTest extends OpTypingContract {
    private static final FusedElementwise ADD_THEN_TANH = new FusedElementwise(List.of(
            new Step(new Binary(BinaryKind.ADD), List.of(Ref.input(0), Ref.input(1))),
            new Step(new Activation(ActivationKind.TANH, 0), List.of(Ref.step(0)))));

    /** A convolution's bias over the channels (in1, per channel), a residual (in2) and a ReLU. */
    private static final FusedElementwise BIAS_RESIDUAL_RELU = new FusedElementwise(List.of(
            new Step(new Binary(BinaryKind.ADD), List.of(Ref.input(0), Ref.input(1))),
            new Step(new Binary(BinaryKind.ADD), List.of(Ref.step(0), Ref.input(2))),
            new Step(new Activation(ActivationKind.RELU, 0), List.of(Ref.step(1)))), List.of(1));

    private static final BatchNormReluMaxPool POOLED = new BatchNormReluMaxPool(1e-5, 0.1,
            new Pool2d(PoolKind.MAX, 2, 2, 2, 2, 0, 0));

    static Stream<OpCase> accepted() {
        return Stream.of(
                accepts(new Dense(ActivationKind.RELU, 0), "f32[N,256]", "f32[N,784]", "f32[256,784]", "f32[256]"),
                accepts(new Dense(ActivationKind.IDENTITY, 0), "f32[N,T,8]", "f32[N,T,4]", "f32[8,4]", "f32[8]"),
                accepts(ADD_THEN_TANH, "f32[N,5]", "f32[N,5]", "f32[N,5]"),
                accepts(BIAS_RESIDUAL_RELU, "f32[N,16,7,7]", "f32[N,16,7,7]", "f32[16]", "f32[N,16,7,7]"),
                accepts(new BatchNormFoldWeight(1e-5), "f32[16,3,5,5]", "f32[16,3,5,5]", "f32[16]", "f32[16]"),
                accepts(new BatchNormFoldBias(1e-5, true), "f32[16]", "f32[16]", "f32[16]", "f32[16]", "f32[16]", "f32[16]"),
                accepts(new BatchNormFoldBias(1e-5, false), "f32[16]", "f32[16]", "f32[16]", "f32[16]", "f32[16]"),
                accepts(new ConvBiasActivation(new Conv2d(1, 1, 2, 2, 2, 2), ActivationKind.RELU, 0), "f32[N,16,28,28]",
                        "f32[N,1,28,28]", "f32[16,1,5,5]", "f32[16]"),
                accepts(POOLED, "f32[N,16,7,7]", "f32[N,16,14,15]", "f32[16]", "f32[16]", "f32[16]", "f32[16]"),
                accepts(new BatchNormReluMaxPoolGrad(POOLED, BatchNormReluMaxPoolGrad.Wrt.INPUT), "f32[N,16,14,15]",
                        "f32[N,16,7,7]", "f32[N,16,14,15]", "f32[16]", "f32[16]"),
                accepts(new BatchNormReluMaxPoolGrad(POOLED, BatchNormReluMaxPoolGrad.Wrt.GAMMA), "f32[16]",
                        "f32[N,16,7,7]", "f32[N,16,14,15]", "f32[16]", "f32[16]"),
                accepts(new BatchNormReluMaxPoolGrad(POOLED, BatchNormReluMaxPoolGrad.Wrt.BETA), "f32[16]",
                        "f32[N,16,7,7]", "f32[N,16,14,15]", "f32[16]", "f32[16]"));
    }

    static Stream<OpCase> rejected() {
        return Stream.of(
                rejects(new Dense(ActivationKind.RELU, 0), "bias_add: bias has 10 elements but axis -1 of the input has"
                        + " 256 (f32[N,256] + f32[10])", "f32[N,784]", "f32[256,784]", "f32[10]"),
                rejects(ADD_THEN_TANH, "add: shapes differ: f32[N,5] vs f32[N,4]", "f32[N,5]", "f32[N,4]"),
                rejects(ADD_THEN_TANH, "fused: expects 2 operands, got 1", "f32[N,5]"),
                rejects(BIAS_RESIDUAL_RELU, "fused: per-channel operand in1 must be [16], got f32[8]",
                        "f32[N,16,7,7]", "f32[8]", "f32[N,16,7,7]"),
                rejects(BIAS_RESIDUAL_RELU, "add: shapes differ: f32[N,16,7,7] vs f32[N,16,6,6]",
                        "f32[N,16,7,7]", "f32[16]", "f32[N,16,6,6]"),
                rejects(new FusedElementwise(List.of(new Step(new Softmax(1), List.of(Ref.input(0))))),
                        "fused: softmax is not element-wise", "f32[N,5]"),
                rejects(new BatchNormFoldWeight(1e-5), "bn_fold_weight: gamma should be f32[16], got f32[8]",
                        "f32[16,3,5,5]", "f32[8]", "f32[16]"),
                rejects(new BatchNormFoldBias(1e-5, false), "bn_fold_bias: expects 4 operands, got 5",
                        "f32[16]", "f32[16]", "f32[16]", "f32[16]", "f32[16]"),
                rejects(new ConvBiasActivation(new Conv2d(1, 1, 0, 0, 0, 0), ActivationKind.RELU, 0),
                        "bias_add: bias has 8 elements but axis 1 of the input has 16 (f32[N,16,24,24] + f32[8])",
                        "f32[N,1,28,28]", "f32[16,1,5,5]", "f32[8]"),
                rejects(new BatchNormReluMaxPool(1e-5, 0.1, new Pool2d(PoolKind.AVG, 2, 2, 2, 2, 0, 0)),
                        "batchnorm_relu_maxpool2d: the pooling must be max pooling, got avgpool2d",
                        "f32[N,16,14,14]", "f32[16]", "f32[16]", "f32[16]", "f32[16]"),
                rejects(POOLED, "batchnorm_relu: gamma should be f32[16], got f32[8]",
                        "f32[N,16,14,14]", "f32[8]", "f32[16]", "f32[16]", "f32[16]"),
                rejects(new BatchNormReluMaxPoolGrad(POOLED, BatchNormReluMaxPoolGrad.Wrt.INPUT),
                        "batchnorm_relu_maxpool2d_grad_input: gradient should be f32[N,16,7,7], got f32[N,16,14,14]",
                        "f32[N,16,14,14]", "f32[N,16,14,14]", "f32[16]", "f32[16]"));
    }
}
