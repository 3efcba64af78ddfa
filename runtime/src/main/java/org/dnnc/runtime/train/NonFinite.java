package org.dnnc.runtime.train;

/**
 * What training does when a step's loss is NaN or infinite (the train section's {@code nan}
 * setting). A network never applies such a step's update unless told to ({@link #IGNORE}), so its
 * weights stay those of its last step with a finite loss.
 */
public enum NonFinite {
    /**
     * Stop at the first such step: {@link Trainer#fit} throws a {@link TrainingDivergedException}
     * naming the step and the epoch, and the network keeps the weights it had before that step.
     */
    STOP,
    /**
     * Leave that batch's update out and go on; the history's message counts the skipped steps. An
     * epoch in which every step is skipped stops training as {@link #STOP} does: nothing can improve.
     */
    SKIP,
    /** Apply the update anyway and go on, as frameworks without a check do; the loss is then NaN from there on. */
    IGNORE
}
