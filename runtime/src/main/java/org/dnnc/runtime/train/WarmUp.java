package org.dnnc.runtime.train;

import java.lang.management.CompilationMXBean;
import java.lang.management.ManagementFactory;
import java.util.List;
import java.util.function.LongSupplier;
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
    /** Wall time at most, judged after each step, for a network whose epochs are long. */
    private static final long MAX_NANOS = 30_000_000_000L;
    /** Evaluation steps at the end, so that validation and testing start compiled too. */
    private static final int EVALUATION_STEPS = 2;

    /**
     * Trains {@code scratch} as {@code fit} would, through the same loop ({@link TrainingRun}) but
     * without listeners, validation or early stopping, window by window until two quiet windows in
     * a row, {@link #MAX_EPOCHS} epochs or {@link #MAX_NANOS}, then evaluates a few batches.
     * Without the compiler's clock ({@link CompilationMXBean#isCompilationTimeMonitoringSupported()})
     * only the bounds end it.
     *
     * <p>The loop is {@code fit}'s own so that its code is compiled too, and after each window
     * training waits for the compiler to finish what it has queued ({@link CompilerQueue}): with
     * both cores training, its thread fell so far behind that the Fashion MLP's first epoch still
     * ran methods of the step, queued during the warm-up, in C1's code.
     */
    static WarmUp run(TrainableNetwork scratch, Dataset train, int batch, Settings settings) {
        LongSupplier nanoTime = settings.nanoTime();
        long start = nanoTime.getAsLong();
        Windows windows = new Windows(nanoTime, start);
        Settings warmUp = new Settings(MAX_EPOCHS, batch, settings.seed(), settings.learningRate(),
                settings.schedule(), null, 0, null, settings.shuffle(), nanoTime, List.of(windows),
                settings.augmentations(), settings.nonFinite());
        try {
            new TrainingRun(scratch, train, null, batch, warmUp, windows::enough).run();
        } catch (TrainingDivergedException e) {
            // The real run takes the same steps from the same start, and says so itself.
        }
        Evaluator evaluator = new Evaluator(scratch, train, Feed.of(scratch, train, "the training data"), nanoTime);
        evaluator.warmUp(EVALUATION_STEPS);
        CompilerQueue.drain();
        return new WarmUp(windows.steps, (nanoTime.getAsLong() - start) / 1e9);
    }

    /** Counts the warm-up's steps and judges the compiler's progress window by window. */
    private static final class Windows implements TrainingListener {
        private final LongSupplier nanoTime;
        private final long start;
        private final CompilationMXBean jit = ManagementFactory.getCompilationMXBean();
        private final boolean timed = jit != null && jit.isCompilationTimeMonitoringSupported();
        private int steps;
        private int windowSteps;
        private long windowStart;
        private long compiledMillis;
        private int quiet;

        Windows(LongSupplier nanoTime, long start) {
            this.nanoTime = nanoTime;
            this.start = start;
            startWindow(start);
        }

        @Override
        public void onBatchEnd(BatchProgress progress) {
            steps++;
            windowSteps++;
            long now = nanoTime.getAsLong();
            if (windowSteps >= WINDOW_STEPS && now - windowStart >= WINDOW_NANOS) {
                double windowMillis = (now - windowStart) / 1e6;
                boolean quietWindow = timed && jit.getTotalCompilationTime() - compiledMillis <= QUIET_FRACTION * windowMillis;
                quiet = quietWindow ? quiet + 1 : 0;
                CompilerQueue.drain();
                startWindow(nanoTime.getAsLong());
            }
        }

        boolean enough() {
            return quiet >= QUIET_WINDOWS || nanoTime.getAsLong() - start >= MAX_NANOS;
        }

        private void startWindow(long now) {
            windowStart = now;
            windowSteps = 0;
            compiledMillis = timed ? jit.getTotalCompilationTime() : 0;
        }
    }
}
