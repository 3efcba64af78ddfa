package org.dnnc.tools;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import org.dnnc.compiler.Compilation;
import org.dnnc.compiler.Compiler;
import org.dnnc.compiler.cli.Sources;
import org.dnnc.compiler.codegen.CodegenException;
import org.dnnc.compiler.diag.Diagnostic;
import org.dnnc.compiler.diag.DiagnosticRenderer;
import org.dnnc.compiler.diag.SourceFile;
import org.dnnc.compiler.sema.NetworkModel;
import org.dnnc.runtime.ElementType;
import org.dnnc.runtime.TensorSpec;
import org.dnnc.runtime.data.Dataset;
import org.dnnc.runtime.data.FashionMnist;
import org.dnnc.runtime.data.Standardization;
import org.dnnc.runtime.train.Evaluation;
import org.dnnc.runtime.train.History;
import org.dnnc.runtime.train.ProgressBar;
import org.dnnc.runtime.train.TrainableNetwork;
import org.dnnc.runtime.train.Trainer;
import org.dnnc.runtime.train.TrainingDivergedException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code dnnc run FILE}: compiles the network in memory, trains it as its train section says on
 * Fashion-MNIST-style IDX data, evaluates it on the test set and prints the metrics.
 */
@Command(name = "run", mixinStandardHelpOptions = true,
        description = "Compile a network in memory, train it on IDX image data (Fashion-MNIST layout) and report test metrics.")
final class RunCommand implements Callable<Integer> {
    @Spec
    private CommandSpec spec;

    @Parameters(paramLabel = "FILE", description = "The .dnn file.")
    private Path file;

    @Option(names = "--data", paramLabel = "DIR",
            description = "Folder with train-/t10k- images and labels (IDX, optionally .gz). Default: the full Fashion-MNIST"
                    + " when installed (/usr/share/datasets/fashion-mnist), else the subset shipped in data/.")
    private Path data;

    @Option(names = "--epochs", paramLabel = "N", description = "Epochs (default: the train section's).")
    private Integer epochs;

    @Option(names = "--threads", paramLabel = "N", defaultValue = "2", description = "Threads (default: ${DEFAULT-VALUE}).")
    private int threads;

    @Option(names = "--no-fuse", description = "Compile without the fusion passes.")
    private boolean noFuse;

    @Option(names = "--network", paramLabel = "NAME", description = "The network to run, when the file has several.")
    private String network;

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
            compiled = CompiledNetwork.compile(model, loaded.get().source(), !noFuse);
        } catch (CodegenException e) {
            err.print(new DiagnosticRenderer(false).render(loaded.get().source(),
                    Diagnostic.error(e.origin().span().isNone() ? model.span() : e.origin().span(), e.getMessage())));
            return 1;
        }
        FashionMnist mnist;
        try {
            mnist = FashionMnist.load(Optional.ofNullable(data));
        } catch (IOException e) {
            err.println("dnnc: error: cannot read the data: " + e.getMessage());
            return 1;
        }
        out.println("data: " + mnist.source());
        Standardization standardize = Standardization.global(mnist.train());
        Dataset train = standardize.apply(mnist.train());
        Dataset test = standardize.apply(mnist.test());
        int runEpochs = epochs != null ? epochs : (int) compiled.constant("EPOCHS");
        try (TrainableNetwork net = compiled.build(((Number) model.train().settings().getOrDefault("seed", 42L)).longValue(),
                threads)) {
            checkShape(net, train);
            Trainer trainer = compiled.trainer().epochs(runEpochs).listener(ProgressBar.auto()).build();
            History history;
            try {
                history = trainer.fit(net, train);
            } catch (TrainingDivergedException e) {
                err.println("dnnc: error: " + e.getMessage());
                return 1;
            }
            Evaluation evaluation = trainer.evaluate(net, test);
            out.printf(Locale.ROOT, "test: loss %.4f, accuracy %.4f on %d examples%n", evaluation.loss(),
                    evaluation.accuracy(), evaluation.examples());
            out.printf(Locale.ROOT, "{\"network\":\"%s\",\"epochs\":%d,\"train_loss\":%.6f,\"test_loss\":%.6f,\"test_accuracy\":%.6f}%n",
                    model.name(), history.epochs().size(), history.last().loss(), evaluation.loss(), evaluation.accuracy());
        }
        out.flush();
        return 0;
    }

    private static void checkShape(TrainableNetwork net, Dataset data) {
        List<TensorSpec> inputs = net.inputs();
        if (inputs.size() != 1 || inputs.get(0).type() != ElementType.FLOAT32
                || !Arrays.equals(inputs.get(0).shape(), data.exampleShape())) {
            throw new picocli.CommandLine.ParameterException(new picocli.CommandLine(new RunCommand()),
                    "dnnc run feeds images of shape " + Arrays.toString(data.exampleShape()) + ", but network "
                            + net.name() + " reads " + inputs.stream().map(TensorSpec::toString)
                                    .collect(Collectors.joining(", ")));
        }
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
