package org.dnnc.examples.fashion;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import org.dnnc.runtime.data.Dataset;
import org.dnnc.runtime.data.FashionMnist;
import org.dnnc.runtime.data.Standardization;
import org.dnnc.runtime.train.Evaluation;
import org.dnnc.runtime.train.ProgressBar;

/**
 * Trains {@link FashionCnn} as its train section says (Adam, 10 epochs, 5% of the training images
 * held out for validation, early stopping on the validation loss), reports test accuracy, and saves
 * the parameters and the input standardization for {@link Classify}.
 *
 * <pre>java -cp ... org.dnnc.examples.fashion.Train [--epochs N] [--threads N] [DATA_DIR] [OUT_DIR]</pre>
 *
 * DATA_DIR holds Fashion-MNIST IDX files (default: the full set when the Debian package
 * dataset-fashion-mnist is installed, else the subset shipped in the repository's data/); OUT_DIR
 * defaults to target/model. {@code --epochs} trains for N epochs instead of the train section's 10;
 * {@code --threads} sets the network's threads (default: the generated builder's; 1 is much faster
 * when other busy processes share the cores).
 */
public final class Train {
    private Train() {}

    public static void main(String[] args) throws IOException {
        Integer epochs = null;
        Integer threads = null;
        List<String> positional = new ArrayList<>();
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals("--epochs") && i + 1 < args.length) {
                epochs = count("--epochs", args[++i]);
            } else if (args[i].equals("--threads") && i + 1 < args.length) {
                threads = count("--threads", args[++i]);
            } else if (args[i].startsWith("-") || positional.size() == 2) {
                usage();
            } else {
                positional.add(args[i]);
            }
        }
        Optional<Path> data = positional.isEmpty() ? Optional.empty() : Optional.of(Path.of(positional.get(0)));
        Path out = Path.of(positional.size() > 1 ? positional.get(1) : "target/model");

        FashionMnist mnist = FashionMnist.load(data);
        System.out.println("data: " + mnist.source());
        Standardization standardization = Standardization.global(mnist.train());
        Dataset train = standardization.apply(mnist.train());
        Dataset test = standardization.apply(mnist.test());
        FashionCnn.Builder builder = FashionCnn.builder();
        if (threads != null) {
            builder.threads(threads);
        }
        try (FashionCnn net = builder.build()) {
            if (epochs == null) {
                net.fit(train, null, ProgressBar.auto());
            } else {
                FashionCnn.trainer().epochs(epochs).listener(ProgressBar.auto()).build().fit(net, train);
            }
            Evaluation evaluation = net.evaluate(test);
            System.out.printf(Locale.ROOT, "test accuracy %.4f, loss %.4f on %d images%n", evaluation.accuracy(),
                    evaluation.loss(), evaluation.examples());
            Files.createDirectories(out);
            net.save(out.resolve("fashion-cnn.safetensors"));
            Model.saveStandardization(out, standardization);
            System.out.println("saved to " + out);
        }
    }

    /** The value of {@code option}, a whole number of at least 1. */
    private static int count(String option, String text) {
        try {
            int n = Integer.parseInt(text);
            if (n >= 1) {
                return n;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        System.err.println(option + " needs a whole number of at least 1, got " + text);
        usage();
        return 0;
    }

    private static void usage() {
        System.err.println("usage: Train [--epochs N] [--threads N] [DATA_DIR] [OUT_DIR]");
        System.exit(2);
    }
}
