package org.dnnc.runtime.train;

import java.util.List;
import org.dnnc.runtime.Inputs;
import org.dnnc.runtime.Network;
import org.dnnc.runtime.TensorSpec;

/**
 * A network that the {@link Trainer} can train: what the classes generated from {@code .dnn} files
 * implement. The network owns its parameters, optimizer state and working memory (sized for
 * {@link #maxBatch()} examples, allocated when it is built); the trainer owns the data and the
 * loop, and passes each batch in arrays it allocated once.
 *
 * <p>A step reads one array per {@linkplain #inputs() input} and per {@linkplain #targets() target}
 * from its {@link Inputs}, each holding the examples one after the other in C order. The arrays may
 * be longer than {@code count} examples need (they are sized for a full batch); only the first
 * {@code count} examples are read.
 *
 * <p>Implementations are not thread-safe: one thread drives a network at a time.
 */
public interface TrainableNetwork extends Network {

    /**
     * The inputs that only training reads, in declaration order: what the loss compares the
     * prediction with (class labels, float targets). Empty for a network trained to reproduce its
     * input (an autoencoder).
     */
    List<TensorSpec> targets();

    /** What the network learns to predict: class labels, float targets, or its input. */
    TargetKind targetKind();

    /** Whether steps count correctly classified examples (a classifier trained on labels). */
    boolean hasAccuracy();

    /**
     * The number of classes of a network trained on class labels (the size of its logits), so that
     * labels out of range are found before training; 0 for other networks.
     */
    int classes();

    /**
     * The class labels one example holds, which {@link StepResult#correct()} counts: 1 for a
     * classifier, the number of steps for a network with a label per step (a language model's
     * next token at every position). Accuracy is the fraction of labels predicted.
     */
    default int labelsPerExample() {
        return 1;
    }

    /**
     * One optimizer step on the first {@code count} examples: forward pass in training mode
     * (dropout on, batch statistics), backward pass, and a parameter update at {@code learningRate};
     * {@link #steps()} then grows by one. When the loss or a parameter gradient is NaN or infinite
     * the step changes nothing (no update, no step counted) and reports it ({@link
     * StepResult#finite()}), unless {@link #updateOnNonFiniteLoss} asked otherwise.
     *
     * @param batch the inputs and targets, by name
     * @param count the number of examples, 1 to {@link #maxBatch()}
     * @param learningRate the rate of this step, from the schedule
     * @return the summed loss and the number correct, measured in the forward pass before the update
     */
    StepResult trainStep(Inputs batch, int count, double learningRate);

    /**
     * Starts {@link #trainStep} on the first {@code count} examples and returns before it has
     * necessarily finished, so that the caller can prepare the next batch meanwhile; {@link
     * PendingStep#finish()} then gives the step's result. The network has read {@code batch} when
     * this returns: its arrays may be refilled at once. Call {@code finish()} before any other call
     * on the network that reads its state ({@link #steps()} included, unless {@link #runsStepsAhead}),
     * except starting a further step: steps run in the order they were started (a network may wait,
     * in this call, for steps started earlier).
     *
     * <p>The default runs the whole step here and returns it finished, which is what a network that
     * computes on the calling thread does. A network on a GPU queues the batch's upload and the step
     * and returns; under {@link NonFinite#STOP} ({@link #onNonFinite}), a step that finds a non-finite
     * loss or gradient also keeps the steps started behind it, before it was collected, from updating
     * (they report themselves not finite), so the network keeps the weights it had before that step.
     *
     * @param batch the inputs and targets, by name
     * @param count the number of examples, 1 to {@link #maxBatch()}
     * @param learningRate the rate of this step, from the schedule
     */
    default PendingStep startTrainStep(Inputs batch, int count, double learningRate) {
        return trainStep(batch, count, learningRate);
    }

    /**
     * The loss and number correct on the first {@code count} examples in inference mode (no
     * dropout, running statistics), without changing any parameter or state.
     *
     * @param batch the inputs and targets, by name
     * @param count the number of examples, 1 to {@link #maxBatch()}
     */
    StepResult evaluateStep(Inputs batch, int count);

    /**
     * Whether a step whose loss or gradient is NaN or infinite still updates the parameters (default:
     * it does not, so that a diverging step cannot spoil the weights, and checks every gradient
     * before updating); the trainer sets it from {@link NonFinite}.
     */
    void updateOnNonFiniteLoss(boolean update);

    /**
     * Tells the network what its caller does with a step whose loss or gradient is NaN or infinite;
     * the {@link Trainer} calls it before its first step. The default asks for the update of such a
     * step only under {@link NonFinite#IGNORE} ({@link #updateOnNonFiniteLoss}); a network that runs
     * steps ahead of their collection ({@link #startTrainStep}) also stops updating after such a step
     * under {@link NonFinite#STOP}, until a later step starts with none in flight.
     */
    default void onNonFinite(NonFinite policy) {
        updateOnNonFiniteLoss(policy == NonFinite.IGNORE);
    }

    /**
     * Whether {@link #startTrainStep} returns before its step has finished, so that the trainer gains
     * by starting the next step before it collects this one (it does so only where the next step's
     * rate and step count cannot depend on this one's outcome). {@link #steps()} may then be read
     * with steps in flight, and counts the collected ones. The default, for a network that computes
     * on the calling thread: false.
     */
    default boolean runsStepsAhead() {
        return false;
    }

    /** The number of optimizer steps taken so far (restored with a checkpoint); schedules count from it. */
    long steps();

    /**
     * The number of epochs the {@link Trainer} has completed on this network, restored with a
     * checkpoint saved with its training state. The next {@code fit} continues from it: its first
     * epoch sees the shuffled order and augmentation draws of epoch {@code epochs()}, so that
     * training 1 epoch and then 1 more is training 2.
     */
    long epochs();

    /** Counts one more completed epoch; the trainer calls it at the end of each. */
    void epochCompleted();
}
