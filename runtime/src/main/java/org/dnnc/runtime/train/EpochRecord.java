package org.dnnc.runtime.train;

/**
 * What one epoch measured. Quantities an epoch did not measure are NaN: accuracies for a network
 * without accuracy, validation metrics without validation data.
 *
 * @param epoch the epoch's number, from 1
 * @param steps optimizer steps taken by the network at the end of the epoch, counting earlier runs
 * @param examples training examples in the epoch (fewer than the data set if training stopped mid-epoch)
 * @param loss mean loss over the epoch's training examples, measured as they were trained on
 * @param accuracy fraction of the epoch's training examples classified correctly
 * @param valLoss mean loss over the validation data after the epoch
 * @param valAccuracy fraction of the validation data classified correctly after the epoch
 * @param learningRate the rate of the epoch's last step
 * @param seconds wall time of the epoch, validation included
 * @param examplesPerSecond training throughput: examples over the training time, validation excluded
 */
public record EpochRecord(int epoch, long steps, int examples, double loss, double accuracy, double valLoss,
        double valAccuracy, double learningRate, double seconds, double examplesPerSecond) {}
