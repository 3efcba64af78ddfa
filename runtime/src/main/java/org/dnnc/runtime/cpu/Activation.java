package org.dnnc.runtime.cpu;

/**
 * The point-wise activations a dense or convolution layer can fuse into its epilogue. Those with a
 * setting take it as the {@code param} argument of the kernels: {@link #LEAKY_RELU} its negative
 * slope, {@link #ELU} its alpha; the others ignore it.
 *
 * <p>Every backward rule is computed from the saved <em>output</em> {@code y}, so the input need
 * not be kept alive for backward (and may be overwritten in place): {@code relu: y > 0},
 * {@code leaky_relu: y > 0 ? 1 : slope}, {@code elu: y > 0 ? 1 : y + alpha},
 * {@code sigmoid: y (1 - y)}, {@code tanh: 1 - y^2}. For leaky ReLU and ELU this needs
 * {@code slope >= 0} and {@code alpha > 0} (as PyTorch's in-place forms do), so that the sign of
 * {@code y} is the sign of the input.
 */
public enum Activation {
    /** {@code y = x}. */
    IDENTITY,
    /** {@code y = max(x, 0)}. */
    RELU,
    /** {@code y = x > 0 ? x : slope * x}. */
    LEAKY_RELU,
    /** {@code y = x > 0 ? x : alpha * (exp(x) - 1)}. */
    ELU,
    /** {@code y = 1 / (1 + exp(-x))}. */
    SIGMOID,
    /** {@code y = tanh(x)}. */
    TANH
}
