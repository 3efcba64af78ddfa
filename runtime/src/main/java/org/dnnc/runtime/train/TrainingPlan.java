package org.dnnc.runtime.train;

import java.util.List;

/**
 * What a call to {@link Trainer#fit} is about to do, given to {@link TrainingListener#onTrainBegin}.
 *
 * @param network the network's {@link TrainableNetwork#name() name}
 * @param inputShape the shape of one example's input
 * @param hasAccuracy whether accuracies will be measured
 * @param epochs the number of epochs requested
 * @param batchSize examples per training step
 * @param batchesPerEpoch training steps per epoch
 * @param trainExamples examples trained on per epoch
 * @param validationExamples examples of the validation data; 0 without validation
 */
public record TrainingPlan(String network, List<Integer> inputShape, boolean hasAccuracy, int epochs, int batchSize,
        int batchesPerEpoch, int trainExamples, int validationExamples) {

    public TrainingPlan {
        inputShape = List.copyOf(inputShape);
    }
}
