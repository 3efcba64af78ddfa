package org.dnnc.runtime.train;

/**
 * Training stopped because a step's loss or one of its gradients was NaN or infinite ({@link
 * NonFinite#STOP}). The network keeps the weights of its last good step, which the message names
 * (so that a {@code save} afterwards writes those, never NaN); {@link #history()} holds the epochs
 * that ran, the last one up to the diverging step.
 */
public final class TrainingDivergedException extends IllegalStateException {
    private static final long serialVersionUID = 1L;

    /** Not serialized: a history is for the process that trained. */
    private final transient History history;

    TrainingDivergedException(History history) {
        super(history.stopMessage());
        this.history = history;
    }

    /** The epochs that ran, with {@link StopReason#NON_FINITE_LOSS} as the reason. */
    public History history() {
        return history;
    }
}
