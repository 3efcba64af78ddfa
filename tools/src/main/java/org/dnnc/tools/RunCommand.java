package org.dnnc.tools;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.Callable;
import org.dnnc.compiler.Compilation;
import org.dnnc.compiler.Compiler;
import org.dnnc.compiler.cli.Sources;
import org.dnnc.compiler.codegen.CodegenException;
import org.dnnc.compiler.diag.Diagnostic;
import org.dnnc.compiler.diag.DiagnosticRenderer;
import org.dnnc.compiler.diag.SourceFile;
import org.dnnc.compiler.sema.NetworkModel;
import org.dnnc.runtime.Device;
import org.dnnc.runtime.cuda.CudaUnavailableException;
import org.dnnc.runtime.data.TextCorpus;
import org.dnnc.runtime.train.BatchLog;
import org.dnnc.runtime.train.Evaluation;
import org.dnnc.runtime.train.History;
import org.dnnc.runtime.train.ProgressBar;
import org.dnnc.runtime.train.RangeTestResult;
import org.dnnc.runtime.train.TrainableNetwork;
import org.dnnc.runtime.train.Trainer;
import org.dnnc.runtime.train.TrainingDivergedException;
import org.dnnc.runtime.train.WarmUp;
import org.dnnc.tools.plot.Chart;
import org.dnnc.tools.plot.TrainingPlots;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code dnnc run FILE}: compiles the network in memory, trains it as its train section says on
 * Fashion-MNIST-style IDX data, a folder of {@code .npy} columns or a text (see {@link RunData}),
 * evaluates it on the test set and prints the metrics that fit the task ({@link TestReport}).
 */
@Command(name = "run", mixinStandardHelpOptions = true,
        description = "Compile a network in memory, train it on IDX images (Fashion-MNIST layout), .npy columns or a text,"
                + " and report test metrics.")
final class RunCommand implements Callable<Integer> {
    @Spec
    private CommandSpec spec;

    @Parameters(paramLabel = "FILE", description = "The .dnn file.")
    private Path file;

    @Option(names = "--data", paramLabel = "DIR",
            description = "Folder with train-/t10k- images and labels (IDX, optionally .gz), or with train/ and test/"
                    + " folders of .npy files, one column each, named as the network's inputs. Default: the full"
                    + " Fashion-MNIST when installed (/usr/share/datasets/fashion-mnist), else the subset shipped in data/.")
    private Path data;

    @Option(names = "--text", paramLabel = "PATH",
            description = "Train a language model on a text file (or a folder of them, or `fortunes` for Debian's corpus),"
                    + " cut into windows as long as the network's int input; the first 90%% trains, the rest tests.")
    private String text;

    @Option(names = "--characters", description = "With --text: tokens are the text's characters, not its bytes.")
    private boolean characters;

    @Option(names = "--windows", paramLabel = "N", description = "With --text: train on the first N windows only.")
    private Integer windows;

    @Option(names = "--epochs", paramLabel = "N", description = "Epochs (default: the train section's).")
    private Integer epochs;

    @Option(names = "--threads", paramLabel = "N", defaultValue = "2", description = "Threads (default: ${DEFAULT-VALUE}).")
    private int threads;

    @Option(names = "--device", paramLabel = "DEVICE", converter = DeviceConverter.class,
            description = DeviceConverter.DESCRIPTION)
    private Device device = Device.CPU;

    @Option(names = "--no-fuse", description = "Compile without the fusion passes.")
    private boolean noFuse;

    @Option(names = "--warm-up", negatable = true, defaultValue = "true", fallbackValue = "true",
            description = "Before the first epoch, train a scratch copy of the network until the just-in-time"
                    + " compiler is done with it, so that every epoch is timed at full speed (the default); the"
                    + " results are the same either way, and --no-warm-up saves the warm-up's seconds.")
    private boolean warmUp;

    @Option(names = "--network", paramLabel = "NAME", description = "The network to run, when the file has several.")
    private String network;

    @Option(names = "--classes", paramLabel = "DIR",
            description = "Keep the network's compiled classes under DIR and load them from there on later runs "
                    + "(for a Java runtime without a compiler); `dnnc predict --classes DIR` finds them too.")
    private Path classes;

    @Option(names = "--reconstructions", paramLabel = "PNG",
            description = "For a network trained to reconstruct its input (an autoencoder): after training, draw the"
                    + " first " + ReconstructionGrid.COLUMNS + " test images and their reconstructions into this PNG.")
    private Path reconstructions;

    @Option(names = "--save", paramLabel = "FILE",
            description = "Save the trained weights to FILE (safetensors), for `dnnc predict` or the generated class's load.")
    private Path save;

    @Option(names = "--plot", paramLabel = "FILE",
            description = "Draw loss and accuracy per epoch, training and validation, to FILE (.svg or .png); after a"
                    + " learning-rate range test, its loss against the learning rate.")
    private Path plot;

    @Option(names = "--history", paramLabel = "FILE",
            description = "Write what each epoch measured to FILE: .csv (a header, a line per epoch) or .json.")
    private Path historyFile;

    @Option(names = "--batches", paramLabel = "FILE",
            description = "Write every step's loss and learning rate to FILE: .csv or .json.")
    private Path batchesFile;

    @Override
    public Integer call() throws IOException {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        if (threads < 1) {
            throw new ParameterException(spec.commandLine(), "--threads must be at least 1, got " + threads);
        }
        if (epochs != null && epochs < 1) {
            throw new ParameterException(spec.commandLine(), "--epochs must be at least 1, got " + epochs);
        }
        if (text != null && data != null) {
            throw new ParameterException(spec.commandLine(), "--text and --data name two data sets; give one");
        }
        if (text == null && (characters || windows != null)) {
            throw new ParameterException(spec.commandLine(), (characters ? "--characters" : "--windows")
                    + " applies to --text only");
        }
        if (windows != null && windows < 1) {
            throw new ParameterException(spec.commandLine(), "--windows must be at least 1, got " + windows);
        }
        requireExtension("--plot", plot, "svg", "png");
        requireExtension("--history", historyFile, "csv", "json");
        requireExtension("--batches", batchesFile, "csv", "json");
        Optional<Loaded> loaded = load(err, file, network);
        if (loaded.isEmpty()) {
            return 1;
        }
        NetworkModel model = loaded.get().model();
        if (!model.train().declared()) {
            err.print(new DiagnosticRenderer(false).render(loaded.get().source(), Diagnostic.error(model.span(),
                    "network `" + model.name() + "` has no train section, so `dnnc run` has nothing to train; its "
                            + "generated class (`dnnc compile`) loads weights and predicts")));
            return 1;
        }
        CompiledNetwork compiled;
        try {
            compiled = CompiledNetwork.compile(model, loaded.get().source(), !noFuse, device, classes);
        } catch (CodegenException e) {
            err.print(new DiagnosticRenderer(false).render(loaded.get().source(),
                    Diagnostic.error(e.origin().span().isNone() ? model.span() : e.origin().span(), e.getMessage())));
            return 1;
        } catch (UncheckedIOException e) {
            // The classes' folder: --classes DIR, else a temporary one.
            err.println("dnnc: error: cannot write the compiled classes" + (classes == null ? "" : " in " + classes) + ": "
                    + IoErrors.describe(e.getCause()));
            return 1;
        }
        int runEpochs = epochs != null ? epochs : (int) compiled.constant("EPOCHS");
        TrainableNetwork built;
        try {
            built = compiled.build(seed(model), threads, device);
        } catch (UncheckedIOException e) {
            err.println("dnnc: error: " + e.getMessage());
            return 1;
        } catch (CudaUnavailableException e) {
            err.println("dnnc: error: cannot run on cuda: " + e.getMessage());
            return 1;
        }
        try (TrainableNetwork net = built) {
            RunData runData;
            ReconstructionGrid grid;
            try {
                runData = text != null ? RunData.text(corpus(text, characters), text, windows, net) : RunData.fromFolder(data, net);
                Trainer.checkData(net, runData.train());
                Trainer.checkData(net, runData.test());
                grid = reconstructions == null ? null : ReconstructionGrid.of(net);
            } catch (IOException e) {
                err.println("dnnc: error: cannot read the data: " + e.getMessage());
                return 1;
            } catch (RunData.DataException | IllegalArgumentException e) {
                err.println("dnnc: error: " + e.getMessage());
                return 1;
            }
            out.println("data: " + runData.source());
            BatchLog batches = new BatchLog();
            Trainer trainer = compiled.trainer().epochs(runEpochs).listener(ProgressBar.auto()).listener(batches).build();
            if (warmUp) {
                warmUp(out, compiled, model, trainer, runData);
            }
            History history;
            try {
                history = trainer.fit(net, runData.train());
            } catch (TrainingDivergedException e) {
                if (!isRangeTest(model) || e.history().epochs().isEmpty()) {
                    err.println("dnnc: error: " + e.getMessage());
                    return 1;
                }
                // A range test runs the rate up until the loss blows up: that ends it, as planned.
                out.println("learning-rate range test: " + e.getMessage());
                history = e.history();
            }
            Evaluation evaluation = trainer.evaluate(net, runData.test());
            TestReport.of(model.name(), net, runData, history, evaluation).print(out);
            Optional<RangeTestResult> range = isRangeTest(model) ? reportRangeTest(out, batches) : Optional.empty();
            Path writing = plot;
            try {
                // Charts only when asked for: they need java.desktop, which a trimmed Java runtime may lack.
                if (plot != null) {
                    Chart chart = range.isPresent() ? TrainingPlots.rangeTest(model.name(), range.get())
                            : TrainingPlots.curves(model.name(), history);
                    chart.write(plot);
                    out.println("plot: " + plot);
                }
                writing = historyFile;
                if (historyFile != null) {
                    if (isJson(historyFile)) {
                        history.writeJson(historyFile);
                    } else {
                        history.writeCsv(historyFile);
                    }
                    out.println("history: " + historyFile);
                }
                writing = batchesFile;
                if (batchesFile != null) {
                    if (isJson(batchesFile)) {
                        batches.writeJson(batchesFile);
                    } else {
                        batches.writeCsv(batchesFile);
                    }
                    out.println("batches: " + batchesFile);
                }
                writing = reconstructions;
                if (grid != null) {
                    grid.write(reconstructions, net, runData.test());
                    out.println("reconstructions: " + reconstructions + " (top: the first test images, bottom: their"
                            + " reconstructions)");
                }
                writing = save;
                if (save != null) {
                    compiled.save(net, save);
                    out.println("weights: " + save);
                }
            } catch (IOException e) {
                err.println("dnnc: error: cannot write " + writing + ": " + IoErrors.describe(e));
                return 1;
            }
        }
        out.flush();
        return 0;
    }

    /**
     * Runs the training step on a second instance of the network until the just-in-time compiler
     * is done with it, so that the first epoch is timed as fast as the others; the network that
     * trains is not touched.
     */
    private void warmUp(PrintWriter out, CompiledNetwork compiled, NetworkModel model, Trainer trainer, RunData runData) {
        WarmUp warmUp;
        try (TrainableNetwork scratch = compiled.build(seed(model), threads, device)) {
            warmUp = trainer.warmUp(scratch, runData.train());
        }
        out.println(String.format(Locale.ROOT, "warm-up: %d step%s on a scratch copy of the network in %.1fs"
                + " (not counted in the epochs)", warmUp.steps(), warmUp.steps() == 1 ? "" : "s", warmUp.seconds()));
        out.flush();
    }

    /** The train section's {@code seed}, or the language's default. */
    static long seed(NetworkModel model) {
        return ((Number) model.train().settings().getOrDefault("seed", 42L)).longValue();
    }

    /** Refuses (exit 2) an output file whose extension names none of the formats {@code option} writes. */
    private void requireExtension(String option, Path file, String... extensions) {
        if (file == null) {
            return;
        }
        String name = file.getFileName().toString().toLowerCase(Locale.ROOT);
        for (String extension : extensions) {
            if (name.endsWith("." + extension)) {
                return;
            }
        }
        throw new ParameterException(spec.commandLine(), option + " " + file
                + ": the file's extension chooses the format, ." + String.join(" or .", extensions));
    }

    private static boolean isJson(Path file) {
        return file.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".json");
    }

    private static boolean isRangeTest(NetworkModel model) {
        org.dnnc.compiler.sema.Option schedule = model.train().schedule();
        return schedule != null && schedule.name().equals("lr_range_test");
    }

    /** Prints the rate a range test suggests, by both rules; empty when too few steps ran to tell. */
    private static Optional<RangeTestResult> reportRangeTest(PrintWriter out, BatchLog batches) {
        RangeTestResult result;
        try {
            result = RangeTestResult.of(batches.learningRates(), batches.losses());
        } catch (IllegalArgumentException e) {
            out.println("learning-rate range test: no suggestion: " + e.getMessage());
            return Optional.empty();
        }
        if (result.lossFell()) {
            out.println(String.format(Locale.ROOT, "learning-rate range test: suggested rate %.3g (steepest descent of"
                    + " the smoothed loss); the other rule, the minimum's rate / 10, gives %.3g",
                    result.suggestedRate(), result.minimumOverTen()));
        } else {
            out.println(String.format(Locale.ROOT, "learning-rate range test: the loss never fell, so no rate is"
                    + " suggested; start the test lower (the minimum's rate / 10 is %.3g)", result.minimumOverTen()));
        }
        return Optional.of(result);
    }

    /** The text of {@code --text}: a file or folder, or Debian's fortunes, by byte or by character. */
    static TextCorpus corpus(String text, boolean characters) throws IOException {
        if (text.equals("fortunes") && !Files.exists(Path.of(text))) {
            return TextCorpus.fortunes();
        }
        return characters ? TextCorpus.characters(Path.of(text)) : TextCorpus.bytes(Path.of(text));
    }

    /** A compiled file and the network to run. */
    record Loaded(SourceFile source, NetworkModel model) {}

    /** Reads and compiles the file, printing its diagnostics; empty on errors. */
    static Optional<Loaded> load(PrintWriter err, Path file, String name) throws IOException {
        Optional<SourceFile> read = Sources.read(err, file);
        if (read.isEmpty()) {
            return Optional.empty();
        }
        SourceFile source = read.get();
        Compilation compilation = Compiler.compile(source);
        DiagnosticRenderer renderer = new DiagnosticRenderer(false);
        compilation.diagnostics().forEach(d -> err.print(renderer.render(source, d)));
        if (compilation.hasErrors()) {
            err.println(DiagnosticRenderer.summary(compilation.errorCount(), compilation.warningCount()));
            return Optional.empty();
        }
        List<NetworkModel> networks = compilation.networks().stream()
                .filter(n -> name == null || n.name().equals(name)).toList();
        if (networks.size() != 1) {
            err.println("dnnc: error: " + file + (networks.isEmpty() ? " has no network named " + name
                    : " has several networks; choose one with --network"));
            return Optional.empty();
        }
        return Optional.of(new Loaded(source, networks.get(0)));
    }
}
