package org.dnnc.examples.reverse;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import org.dnnc.runtime.train.ProgressBar;

/**
 * Trains {@link Reverser} to reverse strings of 5 to 20 digits with teacher forcing, measures the
 * exact match of greedy decoding on held-out strings, prints the attention weights of one of them,
 * and saves the parameters for {@link Translate}.
 *
 * <pre>java -cp ... org.dnnc.examples.reverse.Train [OUT_DIR] [EPOCHS] [TRAINING_STRINGS]</pre>
 */
public final class Train {
    private static final int HELD_OUT = 2000;

    private Train() {}

    public static void main(String[] args) throws IOException {
        Path out = Path.of(args.length > 0 ? args[0] : "target/model");
        int epochs = args.length > 1 ? Integer.parseInt(args[1]) : Reverser.EPOCHS;
        int strings = args.length > 2 ? Integer.parseInt(args[2]) : 20_000;
        Digits train = Digits.random(strings, 1);
        Digits test = Digits.random(HELD_OUT, 2);
        try (Reverser net = Reverser.builder().build()) {
            Reverser.trainer().epochs(epochs).listener(ProgressBar.auto()).build().fit(net, train.dataset());
            System.out.printf(Locale.ROOT, "held-out: exact match %.4f of %d strings%n", exactMatch(net, test),
                    test.count());
            System.out.print(Translate.reverse(net, "31415926535897932"));
            Files.createDirectories(out);
            net.save(out.resolve("reverser.safetensors"));
            System.out.println("saved to " + out);
        }
    }

    /** The fraction of strings whose greedy decoding is exactly their reverse, EOS included. */
    static double exactMatch(Reverser net, Digits data) {
        int[] decoded = net.generate(data.sources(), Digits.EOS);
        int exact = 0;
        for (int i = 0; i < data.count(); i++) {
            boolean same = true;
            for (int t = 0; t <= data.lengths()[i]; t++) {
                same &= decoded[i * Digits.TARGET + t] == data.tgt()[i * Digits.TARGET + t];
            }
            exact += same ? 1 : 0;
        }
        return (double) exact / data.count();
    }
}
