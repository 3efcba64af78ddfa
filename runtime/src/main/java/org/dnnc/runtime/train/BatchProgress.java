package org.dnnc.runtime.train;

/**
 * The state of training after a batch, given to {@link TrainingListener#onBatchEnd}. The trainer
 * passes the same object after every batch, updated in place so that the loop allocates nothing:
 * read it during the call and keep the values, not the object.
 */
public interface BatchProgress {

    /** The current epoch, from 1. */
    int epoch();

    /** The number of epochs requested. */
    int epochs();

    /** Batches finished in this epoch, this one included (1 after the first). */
    int batch();

    /** Batches per epoch. */
    int batchesPerEpoch();

    /** Optimizer steps the network has taken, this one included. */
    long step();

    /** Examples in this batch (fewer than the batch size for a short last batch). */
    int batchExamples();

    /** Mean loss over this batch's examples. */
    double batchLoss();

    /** The learning rate of this step. */
    double learningRate();

    /** Examples trained on in this epoch so far. */
    int epochExamples();

    /** Mean loss over this epoch's examples so far. */
    double epochLoss();

    /** Fraction of this epoch's labels so far predicted correctly; NaN without accuracy. */
    double epochAccuracy();
}
