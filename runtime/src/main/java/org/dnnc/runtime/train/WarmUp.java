package org.dnnc.runtime.train;

import java.lang.management.CompilationMXBean;
import java.lang.management.ManagementFactory;
import java.util.function.LongSupplier;
import org.dnnc.runtime.data.BatchIterator;
import org.dnnc.runtime.data.Batches;
import org.dnnc.runtime.data.Dataset;

/**
 * What {@link Trainer#warmUp} did: training steps on a scratch copy of the network until the
 * just-in-time compiler had compiled the step's code, so that the first epoch of the real run is
 * not slower than the others.
 *
 * @param steps training steps taken on the scratch network
 * @param seconds wall time of the warm-up, its evaluation steps included
 */
public record WarmUp(int steps, double seconds) {
    /** Steps per window at least: the compiler's progress is judged window by window. */
    private static final int WINDOW_STEPS = 4;
    /**
     * A window lasts at least this long, longer than most single compilations: the compiler's
     * clock counts a compilation only once it is done, so a shorter window could fall inside one
     * (large methods, such as a generated step, take C2 the longest).
     */
    private static final long WINDOW_NANOS = 500_000_000L;
    /** A window is quiet when compilations that finished in it took at most this fraction of its time. */
    private static final double QUIET_FRACTION = 0.01;
    /** Consecutive quiet windows that end the warm-up. */
    private static final int QUIET_WINDOWS = 2;
    /**
     * Epochs' worth of batches at most: a small network's steps are so short that the compiler is
     * still at work after one epoch of them.
     */
    private static final int MAX_EPOCHS = 2;
    /** Wall time at most, judged after each window, for a network whose epochs are long. */
    private static final long MAX_NANOS = 30_000_000_000L;
    /** Evaluation steps at the end, so that validation and testing start compiled too. */
    private static final int EVALUATION_STEPS = 2;

    /**
     * Trains {@code scratch} on the batches of the first epochs, in the order {@code fit} would
     * take them, window by window until two quiet windows in a row, {@link #MAX_EPOCHS} epochs'
     * batches or {@link #MAX_NANOS}, then evaluates a few batches. Without the compiler's clock
     * ({@link CompilationMXBean#isCompilationTimeMonitoringSupported()}) only the bounds end it.
     */
    static WarmUp run(TrainableNetwork scratch, Dataset train, int batch, Settings settings) {
        LongSupplier nanoTime = settings.nanoTime();
        long start = nanoTime.getAsLong();
        Feed feed = Feed.of(scratch, train, "the training data");
        Batches inOrder = Batches.of(train, batch);
        Batches batches = settings.shuffle() ? inOrder.shuffled(settings.seed()) : inOrder;
        BatchBuffers buffers = new BatchBuffers(scratch, train, feed, batch, settings.augmentations(), settings.seed());
        CompilationMXBean jit = ManagementFactory.getCompilationMXBean();
        boolean timed = jit != null && jit.isCompilationTimeMonitoringSupported();
        int perEpoch = batches.batchesPerEpoch();
        int limit = MAX_EPOCHS * perEpoch;
        int steps = 0;
        BatchIterator it = null;
        int quiet = 0;
        while (quiet < QUIET_WINDOWS && steps < limit && nanoTime.getAsLong() - start < MAX_NANOS) {
            long compiledMillis = timed ? jit.getTotalCompilationTime() : 0;
            long windowStart = nanoTime.getAsLong();
            int windowSteps = 0;
            while (steps < limit && (windowSteps < WINDOW_STEPS || nanoTime.getAsLong() - windowStart < WINDOW_NANOS)) {
                if (steps % perEpoch == 0) {
                    buffers.startEpoch(steps / perEpoch);
                    it = batches.epoch(steps / perEpoch);
                }
                double rate = settings.schedule().rate(settings.learningRate(), steps, perEpoch);
                buffers.train(buffers.fill(it), rate);
                steps++;
                windowSteps++;
            }
            double windowMillis = (nanoTime.getAsLong() - windowStart) / 1e6;
            boolean quietWindow = timed && jit.getTotalCompilationTime() - compiledMillis <= QUIET_FRACTION * windowMillis;
            quiet = quietWindow ? quiet + 1 : 0;
        }
        Evaluator evaluator = new Evaluator(scratch, train, feed, nanoTime);
        evaluator.warmUp(EVALUATION_STEPS);
        return new WarmUp(steps, (nanoTime.getAsLong() - start) / 1e9);
    }
}
