package org.dnnc.tools;

import java.io.PrintWriter;
import java.util.Locale;
import org.dnnc.runtime.train.Evaluation;
import org.dnnc.runtime.train.History;
import org.dnnc.runtime.train.TrainableNetwork;

/**
 * What {@code dnnc run} prints after training, in words and as one JSON line, with the metrics that
 * fit the task: accuracy for a classifier, bits per byte (or per character) for a language model,
 * the loss alone otherwise. A metric the task has not is left out, never printed as NaN.
 */
record TestReport(String network, int epochs, double trainLoss, Evaluation test, boolean accuracy, String bitsUnit,
        String examplesUnit) {

    static TestReport of(String network, TrainableNetwork net, RunData data, History history, Evaluation test) {
        String bits = data.corpus() == null ? null : data.corpus().byteLevel() ? "byte" : "character";
        return new TestReport(network, history.epochs().size(), history.last().loss(), test, net.hasAccuracy(), bits,
                data.corpus() == null ? "examples" : "windows");
    }

    /** The mean loss in bits: a language model's loss is in nats per token. */
    double bitsPerToken() {
        return test.loss() / Math.log(2);
    }

    void print(PrintWriter out) {
        StringBuilder line = new StringBuilder(String.format(Locale.ROOT, "test: loss %.4f", test.loss()));
        StringBuilder json = new StringBuilder(String.format(Locale.ROOT,
                "{\"network\":\"%s\",\"epochs\":%d,\"train_loss\":%.6f,\"test_loss\":%.6f", network, epochs, trainLoss,
                test.loss()));
        if (bitsUnit != null) {
            line.append(String.format(Locale.ROOT, ", %.4f bits per %s", bitsPerToken(), bitsUnit));
            json.append(String.format(Locale.ROOT, ",\"test_bits_per_%s\":%.6f", bitsUnit, bitsPerToken()));
        }
        if (accuracy) {
            line.append(String.format(Locale.ROOT, ", accuracy %.4f", test.accuracy()));
            json.append(String.format(Locale.ROOT, ",\"test_accuracy\":%.6f", test.accuracy()));
        }
        line.append(String.format(Locale.ROOT, " on %d %s", test.examples(), examplesUnit));
        out.println(line);
        out.println(json.append('}'));
    }
}
