package org.dnnc.runtime.train;

/**
 * Stops training when a metric stops improving: the language's {@code early_stop(monitor:,
 * patience:, min_delta:, restore_best:)}. After each epoch the monitored value counts as an
 * improvement if it beats the best so far by more than {@code minDelta}; after {@code patience}
 * epochs in a row without one, training stops. With {@code restoreBest}, the network ends training
 * (stopped early or not) with the parameters of its best epoch.
 *
 * @param monitor the metric watched
 * @param patience epochs without improvement before stopping, at least 1
 * @param minDelta the smallest change that counts as an improvement, at least 0
 * @param restoreBest whether to restore the best epoch's parameters at the end
 */
public record EarlyStopping(Metric monitor, int patience, double minDelta, boolean restoreBest) {

    /** The language's default patience. */
    public static final int DEFAULT_PATIENCE = 5;

    public EarlyStopping {
        if (monitor == null) {
            throw new IllegalArgumentException("early stopping needs a metric to monitor");
        }
        if (patience < 1) {
            throw new IllegalArgumentException("early stopping patience must be at least 1 epoch, got " + patience);
        }
        if (!(minDelta >= 0) || !Double.isFinite(minDelta)) {
            throw new IllegalArgumentException("early stopping min_delta must be a number >= 0, got " + minDelta);
        }
    }

    /** Watches {@code monitor} with the language's defaults: patience 5, min_delta 0, restore_best true. */
    public static EarlyStopping on(Metric monitor) {
        return new EarlyStopping(monitor, DEFAULT_PATIENCE, 0, true);
    }
}
