package org.dnnc.examples.fashion;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Optional;
import org.dnnc.runtime.data.Dataset;
import org.dnnc.runtime.data.FashionMnist;
import org.dnnc.runtime.data.Standardization;
import org.dnnc.runtime.train.Evaluation;
import org.dnnc.runtime.train.ProgressBar;

/**
 * Trains {@link FashionGru} as its train section says, reports test accuracy, and saves the
 * parameters and the input standardization for {@link Classify}.
 *
 * <pre>java -cp ... org.dnnc.examples.fashion.Train [DATA_DIR] [OUT_DIR]</pre>
 *
 * DATA_DIR holds Fashion-MNIST IDX files (default: the full set when the Debian package
 * dataset-fashion-mnist is installed, else the subset shipped in the repository's data/).
 */
public final class Train {
    private Train() {}

    public static void main(String[] args) throws IOException {
        Optional<Path> data = args.length > 0 ? Optional.of(Path.of(args[0])) : Optional.empty();
        Path out = Path.of(args.length > 1 ? args[1] : "target/model");
        FashionMnist mnist = FashionMnist.load(data);
        System.out.println("data: " + mnist.source());
        Standardization standardization = Standardization.global(mnist.train());
        // The network reads each image as 28 steps (rows) of 28 features.
        Dataset train = standardization.apply(mnist.train()).reshape(28, 28);
        Dataset test = standardization.apply(mnist.test()).reshape(28, 28);
        try (FashionGru net = FashionGru.builder().build()) {
            net.fit(train, null, ProgressBar.auto());
            Evaluation evaluation = net.evaluate(test);
            System.out.printf(Locale.ROOT, "test accuracy %.4f, loss %.4f on %d images%n", evaluation.accuracy(),
                    evaluation.loss(), evaluation.examples());
            Files.createDirectories(out);
            net.save(out.resolve("fashion-gru.safetensors"));
            Model.saveStandardization(out, standardization);
            System.out.println("saved to " + out);
        }
    }
}
