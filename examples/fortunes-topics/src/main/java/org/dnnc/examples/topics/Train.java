package org.dnnc.examples.topics;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import org.dnnc.runtime.data.TextCorpus;
import org.dnnc.runtime.train.Evaluation;

/**
 * Trains {@link FortunesTopics} on 80% of the fortunes of three Debian fortune files, reports the
 * accuracy on the other 20% (and what always answering the largest file would score), and saves the
 * parameters for {@link Classify}.
 *
 * <pre>java -cp ... org.dnnc.examples.topics.Train [FORTUNES_DIR] [OUT_DIR] [EPOCHS]</pre>
 */
public final class Train {
    private Train() {}

    public static void main(String[] args) throws IOException {
        Path dir = args.length > 0 ? Path.of(args[0]) : TextCorpus.FORTUNES;
        Path out = Path.of(args.length > 1 ? args[1] : "target/model");
        int epochs = args.length > 2 ? Integer.parseInt(args[2]) : FortunesTopics.EPOCHS;
        Topics.Split data = Topics.load(dir, 0.2, 1);
        int[] counts = data.test().classCounts();
        int largest = Math.max(counts[0], Math.max(counts[1], counts[2]));
        System.out.printf(Locale.ROOT, "fortunes: %d training and %d test (computers, politics, science: %d, %d, %d"
                + " in the test part)%n", data.train().size(), data.test().size(), counts[0], counts[1], counts[2]);
        try (FortunesTopics net = FortunesTopics.builder().build()) {
            FortunesTopics.trainer().epochs(epochs).build().fit(net, data.train());
            Evaluation evaluation = net.evaluate(data.test());
            System.out.printf(Locale.ROOT, "test accuracy %.4f (the largest topic alone: %.4f), loss %.4f%n",
                    evaluation.accuracy(), (double) largest / data.test().size(), evaluation.loss());
            Files.createDirectories(out);
            net.save(out.resolve("fortunes-topics.safetensors"));
            System.out.println("saved to " + out);
        }
    }
}
