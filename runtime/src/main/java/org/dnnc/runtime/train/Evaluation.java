package org.dnnc.runtime.train;

/**
 * The result of {@link Trainer#evaluate}: a network's loss and accuracy on a data set, in
 * inference mode.
 *
 * @param loss mean loss over the examples
 * @param accuracy fraction classified correctly; NaN for a network without accuracy
 * @param examples the number of examples
 * @param seconds wall time of the evaluation
 */
public record Evaluation(double loss, double accuracy, int examples, double seconds) {

    /** Throughput: examples per second of wall time. */
    public double examplesPerSecond() {
        return examples / seconds;
    }
}
