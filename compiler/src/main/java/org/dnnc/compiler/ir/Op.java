package org.dnnc.compiler.ir;

import java.util.List;
import java.util.Map;

/**
 * An operation of the IR. An op holds its attributes (kernel sizes, axes, rates); its operands are
 * the inputs of the {@link Node} that applies it. Every op knows its own typing rule.
 */
public sealed interface Op
        permits Input, Param, MatMul, BiasAdd, Conv2d, Pool2d, GlobalAvgPool, Flatten, Reshape,
                Activation, Softmax, LogSoftmax, Dropout, Binary, Scale, BatchNorm, LayerNorm,
                Embedding, Concat, Recurrent, AdditiveAttention, Repeat, CrossEntropy, MseLoss,
                BceWithLogits,
                // Introduced by differentiation, and by inference (batchnorm_inference).
                Constant, DropoutMask, Slice, MatMulGradInput, MatMulGradWeight, BiasGrad, ActivationGrad,
                SoftmaxGrad, LogSoftmaxGrad, CrossEntropyGrad, MseGrad, BceWithLogitsGrad, Conv2dGradInput,
                Conv2dGradWeight, Pool2dGrad, GlobalAvgPoolGrad, BatchNormGradInput, BatchNormGradGamma,
                LayerNormGradInput, LayerNormGradGamma, BatchNormInference,
                // Introduced by fusion.
                Dense, FusedElementwise, BatchNormFoldWeight, BatchNormFoldBias, ConvBiasActivation, BatchNormReluGradBeta {

    /** The variadic arity: any number of operands, at least two. */
    int VARIADIC = -1;

    /** The name used in dumps, e.g. {@code matmul}. */
    String mnemonic();

    /** The number of operands, or {@link #VARIADIC}. */
    int arity();

    /** The attributes worth printing, in printing order; empty when there are none. */
    Map<String, Object> attrs();

    /**
     * Checks the operand count, element types and shapes, and returns the type of the result.
     *
     * @throws IrTypeException with a message for the user when the operands do not fit
     */
    TensorType inferType(List<TensorType> operands) throws IrTypeException;
}
