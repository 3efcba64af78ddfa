package org.dnnc.runtime.train;

/**
 * Follows a run of {@link Trainer#fit}: progress output, logging, custom metrics. Every method does
 * nothing by default; override those of interest. The calls come in this order, on the training
 * thread: {@code onTrainBegin}, then per epoch {@code onEpochBegin}, {@code onBatchEnd} after
 * every step, {@code onEpochEnd} (after validation), and finally {@code onTrainEnd}.
 *
 * <p>{@code fit} holds the network for the whole run ({@link org.dnnc.runtime.Network#hold()}): a
 * listener may call it (predict, save) on the training thread, but a call it hands to another
 * thread is refused with {@code IllegalStateException}.
 */
public interface TrainingListener {

    /** Before the first epoch. */
    default void onTrainBegin(TrainingPlan plan) {}

    /** Before the first batch of epoch {@code epoch} (from 1). */
    default void onEpochBegin(int epoch) {}

    /** After each optimizer step; {@code progress} is only valid during the call. */
    default void onBatchEnd(BatchProgress progress) {}

    /** After an epoch's training and validation. */
    default void onEpochEnd(EpochRecord epoch) {}

    /** After the last epoch, once any best parameters are restored. */
    default void onTrainEnd(History history) {}
}
