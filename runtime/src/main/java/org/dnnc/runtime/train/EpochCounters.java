package org.dnnc.runtime.train;

/**
 * The running sums of one epoch, updated after every step and shown to listeners as the {@link
 * BatchProgress}: one object per run, so that the loop allocates nothing.
 */
final class EpochCounters implements BatchProgress {
    private final int epochs;
    private final int batchesPerEpoch;
    private final boolean hasAccuracy;
    private final int labelsPerExample;

    private int epoch;
    private int batch;
    private long step;
    private int batchExamples;
    private double batchLossSum;
    private double learningRate = Double.NaN;
    private int epochExamples;
    private double epochLossSum;
    private long epochCorrect;
    private long epochJudged;

    EpochCounters(int epochs, int batchesPerEpoch, boolean hasAccuracy, int labelsPerExample) {
        this.epochs = epochs;
        this.batchesPerEpoch = batchesPerEpoch;
        this.hasAccuracy = hasAccuracy;
        this.labelsPerExample = labelsPerExample;
    }

    void startEpoch(int epoch) {
        this.epoch = epoch;
        batch = 0;
        epochExamples = 0;
        epochLossSum = 0;
        epochCorrect = 0;
        epochJudged = 0;
    }

    /** Adds the result of a step on {@code count} examples at {@code learningRate}, after which the network had taken {@code step} steps. */
    void add(StepResult result, int count, double learningRate, long step) {
        batch++;
        this.step = step;
        this.learningRate = learningRate;
        batchExamples = count;
        batchLossSum = result.lossSum();
        epochExamples += count;
        epochLossSum += result.lossSum();
        epochCorrect += result.correct();
        epochJudged += result.judgedOf(count, labelsPerExample);
    }

    @Override
    public int epoch() {
        return epoch;
    }

    @Override
    public int epochs() {
        return epochs;
    }

    @Override
    public int batch() {
        return batch;
    }

    @Override
    public int batchesPerEpoch() {
        return batchesPerEpoch;
    }

    @Override
    public long step() {
        return step;
    }

    @Override
    public int batchExamples() {
        return batchExamples;
    }

    @Override
    public double batchLoss() {
        return batchLossSum / batchExamples;
    }

    @Override
    public double learningRate() {
        return learningRate;
    }

    @Override
    public int epochExamples() {
        return epochExamples;
    }

    @Override
    public double epochLoss() {
        return epochLossSum / epochExamples;
    }

    @Override
    public double epochAccuracy() {
        return hasAccuracy ? (double) epochCorrect / epochJudged : Double.NaN;
    }
}
