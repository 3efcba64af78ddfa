package org.dnnc.runtime.train;

/**
 * A training step that {@link TrainableNetwork#startTrainStep} started and whose result is
 * collected later: on a GPU the step computes while the caller prepares the next batch. A {@link
 * StepResult} is the pending step of a step that has already finished, so the synchronous default
 * of {@code startTrainStep} allocates nothing more than the step does.
 */
@FunctionalInterface
public interface PendingStep {

    /**
     * Waits until the step has finished, if it has not, and returns what it measured. The network's
     * {@link TrainableNetwork#steps()} counts the step (if it applied its update) once this returns.
     * Call it once; a later call returns the same result.
     */
    StepResult finish();
}
