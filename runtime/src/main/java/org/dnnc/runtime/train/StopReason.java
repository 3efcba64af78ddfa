package org.dnnc.runtime.train;

/** Why training ended; see {@link History#stopMessage()} for the details. */
public enum StopReason {
    /** Every requested epoch ran. */
    COMPLETED,
    /** The monitored metric stopped improving ({@link EarlyStopping}). */
    EARLY_STOPPING,
    /** The training loss became NaN or infinite: training diverged, and going on would only waste time. */
    NON_FINITE_LOSS,
    /** A {@link LearningRate.RangeTest} went through all its steps. */
    RANGE_TEST_FINISHED
}
