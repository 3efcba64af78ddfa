package org.dnnc.runtime.train;

import java.util.function.LongSupplier;
import org.dnnc.runtime.data.BatchIterator;
import org.dnnc.runtime.data.Batches;
import org.dnnc.runtime.data.Dataset;

/** Measures a network on a data set in inference mode, in batches as large as the network takes. */
final class Evaluator {
    private final TrainableNetwork net;
    private final Batches batches;
    private final BatchBuffers buffers;
    private final LongSupplier nanoTime;

    Evaluator(TrainableNetwork net, Dataset data, Feed feed, LongSupplier nanoTime) {
        this.net = net;
        this.batches = Batches.of(data, net.maxBatch());
        this.buffers = new BatchBuffers(net, data, feed, net.maxBatch());
        this.nanoTime = nanoTime;
    }

    /** Evaluates the first {@code count} batches (fewer if there are fewer) and discards what they measured. */
    void warmUp(int count) {
        BatchIterator it = batches.epoch(0);
        for (int i = 0; i < count && it.hasNext(); i++) {
            buffers.evaluate(buffers.fill(it));
        }
    }

    Evaluation run() {
        long start = nanoTime.getAsLong();
        double lossSum = 0;
        long correct = 0;
        long judged = 0;
        int examples = 0;
        for (BatchIterator it = batches.epoch(0); it.hasNext(); ) {
            int n = buffers.fill(it);
            StepResult result = buffers.evaluate(n);
            lossSum += result.lossSum();
            correct += result.correct();
            judged += result.judgedOf(n, net.labelsPerExample());
            examples += n;
        }
        double seconds = (nanoTime.getAsLong() - start) / 1e9;
        double accuracy = net.hasAccuracy() ? (double) correct / judged : Double.NaN;
        return new Evaluation(lossSum / examples, accuracy, examples, seconds);
    }
}
