package org.dnnc.runtime.train;

/**
 * What one training or evaluation step measured on its batch.
 *
 * <p>The loss is a <em>sum</em> over the batch's examples rather than the batch mean that the
 * optimizer minimises ({@code mean * count}), so that the trainer's epoch loss, the sum over all
 * batches divided by the number of examples, is the exact mean over the epoch's examples even when
 * the last batch is short. An example's own loss is what the loss function gives for that example
 * alone (for {@code mse}, the mean over its target values).
 *
 * <p>It is also the {@link PendingStep} of a step that has finished.
 *
 * @param lossSum the sum of the per-example losses; NaN or infinite if training diverged
 * @param correct how many labels the network predicted correctly (one per example for a classifier,
 *     see {@link TrainableNetwork#labelsPerExample()}); 0 when it has no accuracy
 * @param judged how many labels the accuracy counted, {@link #EVERY_LABEL} when it counted all of
 *     them; fewer when a loss ignores some labels (padding), so that accuracy is {@code correct /
 *     judged} over the labels that count
 * @param finiteGradients false when a parameter gradient held NaN or infinity though the loss was
 *     finite, so that the step updated nothing; also false for a step that a network started behind
 *     a non-finite one under {@link NonFinite#STOP} and so held back (see {@link
 *     TrainableNetwork#startTrainStep})
 */
public record StepResult(double lossSum, int correct, int judged, boolean finiteGradients) implements PendingStep {

    /** The {@code judged} of a step that counted every label of its batch. */
    public static final int EVERY_LABEL = -1;

    /**
     * Checks the counts.
     *
     * @throws IllegalArgumentException if a count is negative, or more labels are correct than judged
     */
    public StepResult {
        if (correct < 0) {
            throw new IllegalArgumentException("a step cannot classify " + correct + " examples correctly");
        }
        if (judged < EVERY_LABEL || judged != EVERY_LABEL && correct > judged) {
            throw new IllegalArgumentException("a step cannot judge " + judged + " labels with " + correct
                    + " of them correct");
        }
    }

    /** A step that counted every label, and whose gradients were finite or were not looked at. */
    public StepResult(double lossSum, int correct) {
        this(lossSum, correct, EVERY_LABEL, true);
    }

    /** A step that counted every label. */
    public StepResult(double lossSum, int correct, boolean finiteGradients) {
        this(lossSum, correct, EVERY_LABEL, finiteGradients);
    }

    /** The labels this step judged among {@code examples} examples of {@code labelsPerExample} labels each. */
    public long judgedOf(int examples, int labelsPerExample) {
        return judged == EVERY_LABEL ? (long) examples * labelsPerExample : judged;
    }

    /** This result: the step has finished. */
    @Override
    public StepResult finish() {
        return this;
    }

    /** Whether the loss and every gradient were finite numbers. */
    public boolean finite() {
        return Double.isFinite(lossSum) && finiteGradients;
    }
}
