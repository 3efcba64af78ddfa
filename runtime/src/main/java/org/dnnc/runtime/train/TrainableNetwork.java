package org.dnnc.runtime.train;

import org.dnnc.runtime.Network;

/**
 * A network that the {@link Trainer} can train: what the classes generated from {@code .dnn} files
 * implement. The network owns its parameters, optimizer state and working memory (sized for
 * {@link #maxBatch()} examples, allocated when it is built); the trainer owns the data and the
 * loop, and passes each batch in arrays it allocated once.
 *
 * <p>Batches are laid out example after example in C order: {@code x} holds {@code count} examples
 * of {@link #inputShape()}, {@code labels} one class index per example, {@code targets} {@code
 * count} examples of {@link #targetShape()}. The arrays may be longer than {@code count} examples
 * need (they are sized for a full batch); only the first {@code count} examples are read. Which of
 * {@code labels} and {@code targets} is passed depends on {@link #targetKind()}:
 *
 * <ul>
 *   <li>{@link TargetKind#LABELS}: {@code labels}; {@code targets} is {@code null};
 *   <li>{@link TargetKind#TARGETS}: {@code targets}; {@code labels} is {@code null};
 *   <li>{@link TargetKind#INPUT}: {@code targets} is the same array as {@code x}; {@code labels} is {@code null}.
 * </ul>
 *
 * <p>Implementations are not thread-safe: one thread drives a network at a time.
 */
public interface TrainableNetwork extends Network {

    /** What the network learns to predict: class labels, float targets, or its input. */
    TargetKind targetKind();

    /** The shape of one example's float targets for {@link TargetKind#TARGETS}; empty otherwise. */
    int[] targetShape();

    /** Whether steps count correctly classified examples (a classifier trained on labels). */
    boolean hasAccuracy();

    /**
     * One optimizer step on the first {@code count} examples: forward pass in training mode
     * (dropout on, batch statistics), backward pass, and a parameter update at {@code learningRate};
     * {@link #steps()} then grows by one.
     *
     * @param count the number of examples, 1 to {@link #maxBatch()}
     * @param learningRate the rate of this step, from the schedule
     * @return the summed loss and the number correct, measured in the forward pass before the update
     */
    StepResult trainStep(float[] x, int[] labels, float[] targets, int count, double learningRate);

    /**
     * The loss and number correct on the first {@code count} examples in inference mode (no
     * dropout, running statistics), without changing any parameter or state.
     *
     * @param count the number of examples, 1 to {@link #maxBatch()}
     */
    StepResult evaluateStep(float[] x, int[] labels, float[] targets, int count);

    /** The number of optimizer steps taken so far (restored with a checkpoint); schedules count from it. */
    long steps();
}
