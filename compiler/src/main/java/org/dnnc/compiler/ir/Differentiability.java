package org.dnnc.compiler.ir;

/**
 * How differentiation treats an op. Every op states its own, so that adding an op forces a
 * decision, and a test can check that each {@link #DIFFERENTIABLE} op has its gradient rule.
 */
public enum Differentiability {
    /** A forward op that training differentiates through, by the op's rule in the gradient table. */
    DIFFERENTIABLE,
    /** Starts the graph (input, parameter, constant): gradients stop here; parameters collect theirs. */
    LEAF,
    /**
     * Rewritten into other ops before a program runs, so never differentiated itself: dropout becomes
     * its input times a random mask for training and its input for inference.
     */
    LOWERED,
    /** Built by differentiation (gradients, dropout masks); a training program is not differentiated again. */
    BUILT_BY_AUTODIFF,
    /** Built after differentiation, by the inference program or by fusion; never differentiated. */
    BUILT_AFTER_AUTODIFF
}
