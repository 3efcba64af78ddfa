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
 * @param lossSum the sum of the per-example losses; NaN or infinite if training diverged
 * @param correct how many labels the network predicted correctly (one per example for a classifier,
 *     see {@link TrainableNetwork#labelsPerExample()}); 0 when it has no accuracy
 * @param finiteGradients false when a parameter gradient held NaN or infinity though the loss was
 *     finite, so that the step updated nothing
 */
public record StepResult(double lossSum, int correct, boolean finiteGradients) {

    public StepResult {
        if (correct < 0) {
            throw new IllegalArgumentException("a step cannot classify " + correct + " examples correctly");
        }
    }

    /** A step whose gradients were finite (or were not looked at: evaluation has none). */
    public StepResult(double lossSum, int correct) {
        this(lossSum, correct, true);
    }

    /** Whether the loss and every gradient were finite numbers. */
    public boolean finite() {
        return Double.isFinite(lossSum) && finiteGradients;
    }
}
