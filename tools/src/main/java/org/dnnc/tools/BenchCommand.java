package org.dnnc.tools;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.Callable;
import org.dnnc.compiler.codegen.CodegenException;
import org.dnnc.runtime.data.Dataset;
import org.dnnc.runtime.data.FashionMnist;
import org.dnnc.runtime.data.Standardization;
import org.dnnc.runtime.train.Evaluation;
import org.dnnc.runtime.train.History;
import org.dnnc.runtime.train.TrainableNetwork;
import org.dnnc.runtime.train.Trainer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code dnnc bench --model mlp|cnn|resnet}: trains an example network on Fashion-MNIST and prints
 * one JSON line with training and inference throughput (images/s) and test accuracy, the fields
 * that {@code shared/bench/pytorch_fmnist.py} prints for PyTorch. As there, every training example
 * is trained on (no validation split, no early stopping), so epochs are comparable.
 */
@Command(name = "bench", mixinStandardHelpOptions = true,
        description = "Benchmark an example network: train_images_per_s, infer_images_per_s and test_accuracy as JSON.")
final class BenchCommand implements Callable<Integer> {
    @Spec
    private CommandSpec spec;

    @Option(names = "--model", paramLabel = "MODEL", defaultValue = "mlp",
            description = "mlp, cnn or resnet (default: ${DEFAULT-VALUE}).")
    private String modelName;

    @Option(names = "--epochs", paramLabel = "N", defaultValue = "1",
            description = "Training epochs; 0 measures inference only, untrained (default: ${DEFAULT-VALUE}).")
    private int epochs;

    @Option(names = "--threads", paramLabel = "N", defaultValue = "2", description = "Threads (default: ${DEFAULT-VALUE}).")
    private int threads;

    @Option(names = "--no-fuse", description = "Compile without the fusion passes, to measure what they gain.")
    private boolean noFuse;

    @Option(names = "--data", paramLabel = "DIR", description = "Fashion-MNIST IDX folder (default: as for dnnc run).")
    private Path data;

    @Override
    public Integer call() throws IOException, CodegenException {
        PrintWriter out = spec.commandLine().getOut();
        if (epochs < 0) {
            throw new ParameterException(spec.commandLine(), "--epochs must not be negative, got " + epochs);
        }
        Path file = example();
        Optional<RunCommand.Loaded> loaded = RunCommand.load(spec.commandLine().getErr(), file, null);
        if (loaded.isEmpty()) {
            return 1;
        }
        CompiledNetwork compiled = CompiledNetwork.compile(loaded.get().model(), loaded.get().source(), !noFuse);
        FashionMnist mnist = FashionMnist.load(Optional.ofNullable(data));
        Standardization standardize = Standardization.global(mnist.train());
        Dataset train = standardize.apply(mnist.train());
        Dataset test = standardize.apply(mnist.test());
        try (TrainableNetwork net = compiled.build(42, threads)) {
            Trainer trainer = compiled.trainer().epochs(Math.max(1, epochs)).validationSplit(0).withoutEarlyStopping()
                    .build();
            String trainPerSecond = "null";
            if (epochs > 0) {
                History history = trainer.fit(net, train);
                double trainSeconds = history.epochs().stream().mapToDouble(e -> e.seconds()).sum();
                trainPerSecond = String.format(Locale.ROOT, "%.1f", (double) train.size() * epochs / trainSeconds);
            }
            Evaluation evaluation = trainer.evaluate(net, test);
            double inferPerSecond = inferenceThroughput(compiled, net, test);
            out.printf(Locale.ROOT, "{\"model\":\"%s\",\"train_images_per_s\":%s,\"infer_images_per_s\":%.1f,"
                            + "\"test_accuracy\":%.4f,\"epochs\":%d,\"threads\":%d,\"batch\":%d,\"train_examples\":%d,"
                            + "\"fused\":%b}%n",
                    modelName, trainPerSecond, inferPerSecond, evaluation.accuracy(), epochs, threads, net.maxBatch(),
                    train.size(), !noFuse);
        }
        out.flush();
        return 0;
    }

    private static final long MIN_INFER_NANOS = 1_000_000_000L;

    /** Predictions over the whole test set in batches of the plan's size, after one warm-up pass. */
    private static double inferenceThroughput(CompiledNetwork compiled, TrainableNetwork net, Dataset test) {
        int size = test.size();
        int perExample = test.features(0).length;
        float[] x = new float[size * perExample];
        for (int i = 0; i < size; i++) {
            System.arraycopy(test.features(i), 0, x, i * perExample, perExample);
        }
        int outputs = (int) compiled.constant("OUTPUT_SIZE");
        float[] out = new float[size * outputs];
        compiled.predict(net, x, size, out);
        // At least a second of passes: three passes of the MLP take a fifth of a second, too short
        // for a stable figure.
        long start = System.nanoTime();
        long elapsed;
        int rounds = 0;
        do {
            compiled.predict(net, x, size, out);
            rounds++;
            elapsed = System.nanoTime() - start;
        } while (rounds < 3 || elapsed < MIN_INFER_NANOS);
        return (double) size * rounds / (elapsed / 1e9);
    }

    private Path example() {
        String relative = switch (modelName) {
            case "mlp" -> "examples/fashion-mlp/src/main/dnn/FashionMlp.dnn";
            case "cnn" -> "examples/fashion-cnn/src/main/dnn/FashionCnn.dnn";
            case "resnet" -> "examples/fashion-resnet/src/main/dnn/FashionResnet.dnn";
            default -> throw new ParameterException(spec.commandLine(),
                    "unknown model '" + modelName + "'; models: mlp, cnn, resnet");
        };
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            if (Files.isRegularFile(dir.resolve(relative))) {
                return dir.resolve(relative);
            }
        }
        throw new ParameterException(spec.commandLine(), "cannot find " + relative + " from " + Path.of("").toAbsolutePath()
                + "; run dnnc bench inside the repository");
    }
}
