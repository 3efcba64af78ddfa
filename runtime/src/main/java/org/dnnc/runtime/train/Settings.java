package org.dnnc.runtime.train;

import java.util.List;
import java.util.function.LongSupplier;
import org.dnnc.runtime.data.Augmentation;
import org.dnnc.runtime.data.Dataset;

/**
 * A {@link Trainer}'s settings, checked by its builder.
 *
 * @param batch examples per step; 0 for the network's {@link TrainableNetwork#maxBatch()}
 * @param validation validation data, or {@code null}
 * @param validationSplit fraction of the training data held out for validation; 0 for none
 * @param earlyStopping or {@code null} for none
 * @param augmentations applied to each training batch's features, in order
 * @param nonFinite what a step with a NaN or infinite loss does to training
 */
record Settings(int epochs, int batch, long seed, double learningRate, LearningRate schedule, Dataset validation,
        double validationSplit, EarlyStopping earlyStopping, boolean shuffle, LongSupplier nanoTime,
        List<TrainingListener> listeners, List<Augmentation> augmentations, NonFinite nonFinite) {

    Settings {
        listeners = List.copyOf(listeners);
        augmentations = List.copyOf(augmentations);
    }
}
