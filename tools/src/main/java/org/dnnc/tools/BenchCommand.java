package org.dnnc.tools;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.Callable;
import org.dnnc.compiler.codegen.CodegenException;
import org.dnnc.compiler.diag.Diagnostic;
import org.dnnc.compiler.diag.DiagnosticRenderer;
import org.dnnc.compiler.sema.NetworkModel;
import org.dnnc.runtime.Device;
import org.dnnc.runtime.Inputs;
import org.dnnc.runtime.cuda.CudaUnavailableException;
import org.dnnc.runtime.data.Column;
import org.dnnc.runtime.data.Dataset;
import org.dnnc.runtime.data.TextCorpus;
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
 * {@code dnnc bench --model mlp|cnn|resnet|gru|lstm_lm|vgg|strided|wide_mlp}: trains an example network,
 * or one of the benchmark suite's ({@code bench/networks}), and prints one
 * JSON line with training and inference throughput and a test metric, the fields that the PyTorch
 * peers in {@code shared/bench} print: images/s and accuracy on Fashion-MNIST for the image models
 * ({@code pytorch_fmnist.py}; {@code gru} reads each image as 28 rows, as {@code pytorch_seq.py}),
 * tokens/s and bits per byte on the {@code fortunes} corpus for {@code lstm_lm}, whose epoch is the
 * first {@code --lm-windows} training windows as in {@code pytorch_seq.py}. As there, every
 * training example is trained on (no validation split, no early stopping), so epochs are comparable.
 * The suite's networks ({@code vgg}, {@code strided}, {@code wide_mlp}) have their PyTorch twins in
 * {@code bench/pytorch_suite.py}, which prints the same fields.
 * With {@code --device cuda} the network trains and predicts on a GPU (compiled with the cuda
 * target too), and the line's {@code device} says so. {@code --batch N} compiles the network for
 * batches of N instead of its train section's (as the PyTorch peers' {@code --batch}); the line's
 * {@code batch} is the compiled class's.
 */
@Command(name = "bench", mixinStandardHelpOptions = true,
        description = "Benchmark an example network: train_images_per_s, infer_images_per_s and test_accuracy as JSON.")
final class BenchCommand implements Callable<Integer> {
    /** What {@code --model} accepts. */
    static final List<String> MODELS = List.of("mlp", "cnn", "resnet", "gru", "lstm_lm", "vgg", "strided", "wide_mlp");

    @Spec
    private CommandSpec spec;

    @Option(names = "--model", paramLabel = "MODEL", defaultValue = "mlp",
            description = "mlp, cnn, resnet, gru, lstm_lm, vgg, strided or wide_mlp (default: ${DEFAULT-VALUE}).")
    private String modelName;

    @Option(names = "--epochs", paramLabel = "N", defaultValue = "1",
            description = "Training epochs; 0 measures inference only, untrained (default: ${DEFAULT-VALUE}).")
    private int epochs;

    @Option(names = "--threads", paramLabel = "N", defaultValue = "2", description = "Threads (default: ${DEFAULT-VALUE}).")
    private int threads;

    @Option(names = "--seed", paramLabel = "N",
            description = "Seed of the initial weights, dropout and the shuffles, to compare accuracies over several "
                    + "seeds (default: the train section's seed).")
    private Long seed;

    @Option(names = "--device", paramLabel = "DEVICE", converter = DeviceConverter.class,
            description = DeviceConverter.DESCRIPTION)
    private Device device = Device.CPU;

    @Option(names = "--no-fuse", description = "Compile without the fusion passes, to measure what they gain.")
    private boolean noFuse;

    @Option(names = "--data", paramLabel = "DIR", description = "Fashion-MNIST IDX folder (default: as for dnnc run).")
    private Path data;

    @Option(names = "--synthetic", paramLabel = "N",
            description = "Train and test on N random images (seeded) instead of Fashion-MNIST, as the PyTorch peer's "
                    + "--synthetic does: throughput only, for a machine without the data set.")
    private Integer synthetic;

    @Option(names = "--classes", paramLabel = "DIR",
            description = "Keep the network's compiled classes under DIR and load them from there on later runs "
                    + "(for a Java runtime without a compiler).")
    private Path classes;

    @Option(names = "--batch", paramLabel = "N",
            description = "Train and predict at batch N instead of the network's train batch: the class is compiled "
                    + "for it (default: the .dnn's batch).")
    private Integer batch;

    @Option(names = "--text", paramLabel = "PATH",
            description = "lstm_lm: the corpus, a file or folder (default: Debian's fortunes, /usr/share/games/fortunes).")
    private Path text;

    @Option(names = "--lm-windows", paramLabel = "N", defaultValue = "4000",
            description = "lstm_lm: training windows per epoch, the first N (default: ${DEFAULT-VALUE}).")
    private int lmWindows;

    @Override
    public Integer call() throws IOException {
        PrintWriter out = spec.commandLine().getOut();
        if (lmWindows < 1) {
            throw new ParameterException(spec.commandLine(), "--lm-windows must be at least 1, got " + lmWindows);
        }
        if (epochs < 0) {
            throw new ParameterException(spec.commandLine(), "--epochs must not be negative, got " + epochs);
        }
        if (batch != null && batch < 1) {
            throw new ParameterException(spec.commandLine(), "--batch must be at least 1 example, got " + batch);
        }
        if (seed != null && seed < 0) {
            throw new ParameterException(spec.commandLine(), "--seed must not be negative, got " + seed);
        }
        if (synthetic != null && (synthetic < 1 || data != null || modelName.equals("lstm_lm"))) {
            throw new ParameterException(spec.commandLine(), "--synthetic takes a positive count of images, for an "
                    + "image model, without --data; got " + synthetic + (data != null ? " with --data" : "")
                    + " for " + modelName);
        }
        Path file = example();
        Optional<RunCommand.Loaded> loaded = RunCommand.load(spec.commandLine().getErr(), file, null);
        if (loaded.isEmpty()) {
            return 1;
        }
        NetworkModel model = batch == null ? loaded.get().model() : loaded.get().model().withBatch(batch);
        CompiledNetwork compiled;
        try {
            compiled = CompiledNetwork.compile(model, loaded.get().source(), !noFuse, device, classes);
        } catch (CodegenException e) {
            spec.commandLine().getErr().print(new DiagnosticRenderer(false).render(loaded.get().source(), Diagnostic.error(
                    e.origin().span().isNone() ? loaded.get().model().span() : e.origin().span(), e.getMessage())));
            return 1;
        } catch (UncheckedIOException e) {
            // The classes' folder: --classes DIR, else a temporary one.
            spec.commandLine().getErr().println("dnnc: error: cannot write the compiled classes"
                    + (classes == null ? "" : " in " + classes) + ": " + IoErrors.describe(e.getCause()));
            return 1;
        }
        boolean language = modelName.equals("lstm_lm");
        long runSeed = seed != null ? seed : RunCommand.seed(loaded.get().model());
        TrainableNetwork built;
        try {
            built = compiled.build(runSeed, threads, device);
        } catch (CudaUnavailableException e) {
            spec.commandLine().getErr().println("dnnc: error: cannot run on cuda: " + e.getMessage());
            return 1;
        }
        try (TrainableNetwork net = built) {
            RunData runData;
            try {
                runData = language
                        ? RunData.text(text == null ? TextCorpus.fortunes() : TextCorpus.bytes(text),
                                text == null ? "fortunes" : text.toString(), lmWindows, net)
                        : synthetic != null ? RunData.synthetic(synthetic, 42, net) : RunData.fromFolder(data, net);
            } catch (IOException e) {
                spec.commandLine().getErr().println("dnnc: error: cannot read the data: " + e.getMessage());
                return 1;
            } catch (RunData.DataException e) {
                spec.commandLine().getErr().println("dnnc: error: " + e.getMessage());
                return 1;
            }
            Dataset train = runData.train();
            Dataset test = runData.test();
            // A token is a position of a window; an image is an example.
            int perExample = language ? net.labelsPerExample() : 1;
            Trainer trainer = compiled.trainer().epochs(Math.max(1, epochs)).seed(runSeed).validationSplit(0)
                    .withoutEarlyStopping().progress(false).build();
            String trainPerSecond = "null";
            if (epochs > 0) {
                History history = trainer.fit(net, train);
                double trainSeconds = history.epochs().stream().mapToDouble(e -> e.seconds()).sum();
                trainPerSecond = String.format(Locale.ROOT, "%.1f",
                        (double) train.size() * perExample * epochs / trainSeconds);
            }
            Evaluation evaluation = trainer.evaluate(net, test);
            if (language) {
                double inferPerSecond = inferenceThroughput(net, test) * perExample;
                out.printf(Locale.ROOT, "{\"model\":\"%s\",\"train_tokens_per_s\":%s,\"infer_tokens_per_s\":%.1f,"
                                + "\"test_bits_per_byte\":%.4f,\"epochs\":%d,\"threads\":%d,\"batch\":%d,"
                                + "\"train_windows\":%d,\"fused\":%b,\"device\":\"%s\"}%n",
                        modelName, trainPerSecond, inferPerSecond, evaluation.loss() / Math.log(2), epochs, threads,
                        net.maxBatch(), train.size(), !noFuse, deviceName());
            } else {
                double inferPerSecond = inferenceThroughput(compiled, net, test);
                out.printf(Locale.ROOT, "{\"model\":\"%s\",\"train_images_per_s\":%s,\"infer_images_per_s\":%.1f,"
                                + "\"test_accuracy\":%.4f,\"epochs\":%d,\"threads\":%d,\"batch\":%d,\"train_examples\":%d,"
                                + "\"fused\":%b,\"device\":\"%s\"}%n",
                        modelName, trainPerSecond, inferPerSecond, evaluation.accuracy(), epochs, threads, net.maxBatch(),
                        train.size(), !noFuse, deviceName());
            }
        }
        out.flush();
        return 0;
    }

    private String deviceName() {
        return device.name().toLowerCase(Locale.ROOT);
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

    /**
     * Windows per second predicted over the whole test set through {@code predict(Inputs)}, in
     * chunks of 128 windows as the PyTorch peer evaluates, for at least a second.
     */
    private static double inferenceThroughput(TrainableNetwork net, Dataset test) {
        String input = net.inputs().get(0).name();
        Column column = test.column(input);
        int chunk = 128;
        List<Inputs> chunks = new ArrayList<>();
        for (int start = 0; start < test.size(); start += chunk) {
            int n = Math.min(chunk, test.size() - start);
            int[] ids = new int[n * column.size()];
            for (int i = 0; i < ids.length; i++) {
                ids[i] = column.value(start + i / column.size(), i % column.size()).intValue();
            }
            chunks.add(Inputs.of(input, ids));
        }
        chunks.forEach(net::predict);
        long start = System.nanoTime();
        long elapsed;
        int rounds = 0;
        do {
            chunks.forEach(net::predict);
            rounds++;
            elapsed = System.nanoTime() - start;
        } while (rounds < 3 || elapsed < MIN_INFER_NANOS);
        return (double) test.size() * rounds / (elapsed / 1e9);
    }

    private Path example() {
        String relative = switch (modelName) {
            case "mlp" -> "examples/fashion-mlp/src/main/dnn/FashionMlp.dnn";
            case "cnn" -> "examples/fashion-cnn/src/main/dnn/FashionCnn.dnn";
            case "resnet" -> "examples/fashion-resnet/src/main/dnn/FashionResnet.dnn";
            case "gru" -> "examples/fashion-gru/src/main/dnn/FashionGru.dnn";
            case "lstm_lm" -> "examples/fortunes-lm/src/main/dnn/FortunesLm.dnn";
            case "vgg" -> "bench/networks/Vgg.dnn";
            case "strided" -> "bench/networks/Strided.dnn";
            case "wide_mlp" -> "bench/networks/WideMlp.dnn";
            default -> throw new ParameterException(spec.commandLine(),
                    "unknown model '" + modelName + "'; models: " + String.join(", ", MODELS));
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
