package org.dnnc.examples.fortunes;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import org.dnnc.runtime.data.Dataset;
import org.dnnc.runtime.data.TextCorpus;
import org.dnnc.runtime.train.Evaluation;
import org.dnnc.runtime.train.ProgressBar;

/**
 * Trains {@link FortunesLm} on a text: the first 90% of its bytes, cut into 64-byte windows (the
 * first WINDOWS of them per epoch, all when 0), reports bits per byte on the last 10%, and saves
 * the parameters for {@link Generate}.
 *
 * <pre>java -cp ... org.dnnc.examples.fortunes.Train [TEXT] [OUT_DIR] [EPOCHS] [WINDOWS]</pre>
 *
 * TEXT is a file or a folder of them (default: Debian's fortunes, {@code apt-get install fortunes}).
 */
public final class Train {
    private Train() {}

    public static void main(String[] args) throws IOException {
        TextCorpus corpus = args.length > 0 && !args[0].equals("fortunes") ? TextCorpus.bytes(Path.of(args[0]))
                : TextCorpus.fortunes();
        Path out = Path.of(args.length > 1 ? args[1] : "target/model");
        int epochs = args.length > 2 ? Integer.parseInt(args[2]) : FortunesLm.EPOCHS;
        int windows = args.length > 3 ? Integer.parseInt(args[3]) : 0;
        TextCorpus.Split parts = corpus.split(0.9);
        Dataset train = parts.train().windows(64, "window", "next");
        Dataset test = parts.test().windows(64, "window", "next");
        if (windows > 0) {
            train = train.head(windows);
        }
        System.out.printf(Locale.ROOT, "text: %,d bytes; %,d training and %,d test windows of 64%n", corpus.length(),
                train.size(), test.size());
        try (FortunesLm net = FortunesLm.builder().build()) {
            FortunesLm.trainer().epochs(epochs).listener(ProgressBar.auto()).build().fit(net, train);
            Evaluation evaluation = net.evaluate(test);
            System.out.printf(Locale.ROOT, "test: %.4f bits per byte, next-byte accuracy %.4f%n",
                    evaluation.loss() / Math.log(2), evaluation.accuracy());
            Files.createDirectories(out);
            net.save(out.resolve("fortunes-lm.safetensors"));
            System.out.println("saved to " + out);
        }
    }
}
