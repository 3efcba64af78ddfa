package org.dnnc.compiler.ir;

import java.util.List;
import java.util.Map;

/**
 * An operation of the IR. An op holds its attributes (kernel sizes, axes, rates); its operands are
 * the inputs of the {@link Node} that applies it. Every op knows its own typing rule and states its
 * own properties (how it is differentiated, whether it is element-wise, in place or a view), which
 * passes ask instead of keeping their own lists of op classes.
 */
public sealed interface Op
        permits Input, Param, MatMul, BiasAdd, Conv2d, Pool2d, GlobalAvgPool, Flatten, Reshape,
                Activation, Softmax, LogSoftmax, Dropout, Binary, Scale, BatchNorm, LayerNorm,
                Embedding, Concat, Recurrent, AdditiveAttention, AttentionWeights, AttentionDecoder,
                DecoderWeights, ShiftRight, LastStep, Repeat, CrossEntropy, MseLoss, BceWithLogits,
                // Introduced by differentiation, and by inference and frozen layers (batchnorm_inference).
                Constant, DropoutMask, Slice, MatMulGradInput, MatMulGradWeight, BiasGrad, ActivationGrad,
                SoftmaxGrad, LogSoftmaxGrad, CrossEntropyGrad, MseGrad, BceWithLogitsGrad, Conv2dGradInput,
                Conv2dGradWeight, Pool2dGrad, GlobalAvgPoolGrad, BatchNormGradInput, BatchNormGradGamma,
                LayerNormGradInput, LayerNormGradGamma, EmbeddingGrad, RecurrentGrad, AdditiveAttentionGrad,
                AttentionDecoderGrad, LastStepGrad, BatchNormInference, BatchNormInferenceGradInput,
                // Introduced by fusion.
                Dense, FusedElementwise, BatchNormFoldWeight, BatchNormFoldBias, ConvBiasActivation, BatchNormReluGradBeta,
                BatchNormReluMaxPool, BatchNormReluMaxPoolGrad {

    /** The variadic arity: any number of operands, at least two. */
    int VARIADIC = -1;

    /** How differentiation treats this op; every op states it, so a new op cannot be trained through by accident. */
    Differentiability differentiability();

    /**
     * Whether this op can be a step of a fused element-wise chain: one function applied to each
     * element of operands that all have the result's type. A fused chain is not one itself, so chains
     * do not nest.
     */
    default boolean elementwise() {
        return false;
    }

    /**
     * Whether the result may be written over an operand of the same size that dies at this op,
     * because each element is read before it is written.
     */
    default boolean inPlaceCapable() {
        return elementwise();
    }

    /** Whether the result only reinterprets the operand's bytes in another shape, so it can share its buffer. */
    default boolean viewOnly() {
        return false;
    }

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
