package org.dnnc.tools;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import org.dnnc.compiler.codegen.CodegenException;
import org.dnnc.compiler.diag.Diagnostic;
import org.dnnc.compiler.diag.DiagnosticRenderer;
import org.dnnc.compiler.sema.NetworkModel;
import org.dnnc.runtime.Device;
import org.dnnc.runtime.ElementType;
import org.dnnc.runtime.Inputs;
import org.dnnc.runtime.Network;
import org.dnnc.runtime.Outputs;
import org.dnnc.runtime.TensorSpec;
import org.dnnc.runtime.data.Column;
import org.dnnc.runtime.data.Dataset;
import org.dnnc.runtime.train.TargetKind;
import org.dnnc.runtime.train.TrainableNetwork;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code dnnc predict FILE --weights W}: compiles the network in memory, loads trained weights (as
 * {@code dnnc run --save} writes them) and prints its predictions on the test part of the data that
 * {@code dnnc run} reads: for a classifier the class and its probability per example, else every
 * output's values.
 */
@Command(name = "predict", mixinStandardHelpOptions = true,
        description = "Compile a network in memory, load trained weights and print its predictions on the test data"
                + " (the data options of `dnnc run`): class and probability for a classifier, else the output values.")
final class PredictCommand implements Callable<Integer> {
    @Spec
    private CommandSpec spec;

    @Parameters(paramLabel = "FILE", description = "The .dnn file.")
    private Path file;

    @Option(names = "--weights", paramLabel = "W", required = true,
            description = "The trained weights (safetensors), as `dnnc run --save` or the generated save() writes them.")
    private Path weights;

    @Option(names = "--data", paramLabel = "DIR",
            description = "As for `dnnc run`: IDX images (standardized as `dnnc run` does) or train/ and test/ folders"
                    + " of .npy columns; predicts the test part. Default: Fashion-MNIST.")
    private Path data;

    @Option(names = "--text", paramLabel = "PATH", description = "As for `dnnc run`: a text; predicts its last 10%%.")
    private String text;

    @Option(names = "--characters", description = "With --text: tokens are the text's characters, not its bytes.")
    private boolean characters;

    @Option(names = "--limit", paramLabel = "N", description = "Print the first N examples only.")
    private Integer limit;

    @Option(names = "--threads", paramLabel = "N", defaultValue = "1", description = "Threads (default: ${DEFAULT-VALUE}).")
    private int threads;

    @Option(names = "--network", paramLabel = "NAME", description = "The network, when the file has several.")
    private String network;

    @Option(names = "--classes", paramLabel = "DIR",
            description = "As for `dnnc run`: keep the compiled classes under DIR, or load them from there (those that"
                    + " `dnnc run --classes DIR` kept for the CPU).")
    private Path classes;

    @Override
    public Integer call() throws IOException {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        if (threads < 1) {
            throw new ParameterException(spec.commandLine(), "--threads must be at least 1, got " + threads);
        }
        if (limit != null && limit < 1) {
            throw new ParameterException(spec.commandLine(), "--limit must be at least 1, got " + limit);
        }
        if (text != null && data != null) {
            throw new ParameterException(spec.commandLine(), "--text and --data name two data sets; give one");
        }
        if (text == null && characters) {
            throw new ParameterException(spec.commandLine(), "--characters applies to --text only");
        }
        Optional<RunCommand.Loaded> loaded = RunCommand.load(err, file, network);
        if (loaded.isEmpty()) {
            return 1;
        }
        NetworkModel model = loaded.get().model();
        CompiledNetwork compiled;
        try {
            compiled = CompiledNetwork.compile(model, loaded.get().source(), true, Device.CPU, classes);
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
        try (Network net = compiled.buildAny(42, threads)) {
            try {
                compiled.load(net, weights);
            } catch (IOException e) {
                err.println("dnnc: error: " + weights + " does not fit network " + model.name() + ": "
                        + IoErrors.describe(e));
                return 1;
            }
            Dataset test;
            String source;
            try {
                RunData runData = text != null ? RunData.text(RunCommand.corpus(text, characters), text, null, trainable(net))
                        : RunData.fromFolder(data, net);
                test = runData.test();
                source = runData.source();
            } catch (IOException e) {
                err.println("dnnc: error: cannot read the data: " + IoErrors.describe(e));
                return 1;
            } catch (RunData.DataException e) {
                err.println("dnnc: error: " + e.getMessage());
                return 1;
            }
            int count = limit == null ? test.size() : Math.min(limit, test.size());
            Inputs inputs;
            try {
                inputs = inputs(net, test, count);
            } catch (RunData.DataException e) {
                err.println("dnnc: error: " + e.getMessage());
                return 1;
            }
            out.println("data: " + source + ", " + count + " test example" + (count == 1 ? "" : "s"));
            print(out, net, net.predict(inputs), count, test);
        }
        out.flush();
        return 0;
    }

    private TrainableNetwork trainable(Network net) throws RunData.DataException {
        if (net instanceof TrainableNetwork t) {
            return t;
        }
        throw new RunData.DataException("--text cuts a text into windows and targets for a language model, but network "
                + net.name() + " has no train section");
    }

    /**
     * The first {@code count} examples of every input the network reads, by column name, or from the
     * features column for a network with one float input.
     */
    static Inputs inputs(Network net, Dataset data, int count) throws RunData.DataException {
        Inputs inputs = null;
        List<TensorSpec> floatInputs = net.inputs().stream().filter(s -> s.type() == ElementType.FLOAT32).toList();
        for (TensorSpec spec : net.inputs()) {
            Column column = data.hasColumn(spec.name()) ? data.column(spec.name())
                    : floatInputs.size() == 1 && spec.type() == ElementType.FLOAT32 ? data.featureColumn().orElse(null)
                    : null;
            if (column == null || column.type() != spec.type() || column.size() != spec.size()) {
                throw new RunData.DataException("network " + net.name() + " reads input " + spec + ", but the data "
                        + (column == null ? "has no column for it" : "has " + column) + "; its columns: "
                        + data.columns().stream().map(Column::toString).collect(Collectors.joining(", ")));
            }
            inputs = spec.type() == ElementType.FLOAT32
                    ? (inputs == null ? Inputs.of(spec.name(), column.floats(0, count))
                            : inputs.and(spec.name(), column.floats(0, count)))
                    : (inputs == null ? Inputs.of(spec.name(), column.ints(0, count))
                            : inputs.and(spec.name(), column.ints(0, count)));
        }
        return inputs;
    }

    /**
     * One line per example: the class and its probability for a classifier (its first output holding
     * one score per class: taken as probabilities when they are, else through a softmax), else every
     * output's values. With labels in the data, a classifier's accuracy follows.
     */
    private static void print(PrintWriter out, Network net, Outputs outputs, int count, Dataset data) {
        TensorSpec first = net.outputs().get(0);
        boolean classifier = net instanceof TrainableNetwork t && t.targetKind() == TargetKind.LABELS
                && first.size() == t.classes();
        if (!classifier) {
            out.println("example\t" + net.outputs().stream().map(TensorSpec::name).collect(Collectors.joining("\t")));
            for (int i = 0; i < count; i++) {
                List<String> fields = new ArrayList<>();
                fields.add(Integer.toString(i));
                for (TensorSpec o : net.outputs()) {
                    fields.add(values(outputs.example(o.name(), i)));
                }
                out.println(String.join("\t", fields));
            }
            return;
        }
        Optional<Column> labels = labels((TrainableNetwork) net, data);
        out.println("example\tclass\tprobability" + (labels.isPresent() ? "\tlabel" : ""));
        int correct = 0;
        for (int i = 0; i < count; i++) {
            float[] scores = probabilities(outputs.example(first.name(), i));
            int best = 0;
            for (int k = 1; k < scores.length; k++) {
                if (scores[k] > scores[best]) {
                    best = k;
                }
            }
            String line = String.format(Locale.ROOT, "%d\t%d\t%.4f", i, best, scores[best]);
            if (labels.isPresent()) {
                int label = labels.get().value(i, 0).intValue();
                correct += label == best ? 1 : 0;
                line += "\t" + label;
            }
            out.println(line);
        }
        if (labels.isPresent()) {
            out.println(String.format(Locale.ROOT, "accuracy %.4f on %d examples", (double) correct / count, count));
        }
    }

    /** The data's column of the classifier's labels: the one named as its target, else the one with the labels' role. */
    private static Optional<Column> labels(TrainableNetwork net, Dataset data) {
        String target = net.targets().size() == 1 ? net.targets().get(0).name() : null;
        if (target != null && data.hasColumn(target)) {
            Column column = data.column(target);
            return column.type() == ElementType.INT32 && column.size() == 1 ? Optional.of(column) : Optional.empty();
        }
        return data.labelColumn();
    }

    /** {@code scores} if they are probabilities (non-negative, summing to 1), else their softmax. */
    static float[] probabilities(float[] scores) {
        double sum = 0;
        boolean nonNegative = true;
        for (float s : scores) {
            sum += s;
            nonNegative &= s >= 0;
        }
        if (nonNegative && Math.abs(sum - 1) < 1e-3) {
            return scores;
        }
        double max = Double.NEGATIVE_INFINITY;
        for (float s : scores) {
            max = Math.max(max, s);
        }
        double total = 0;
        float[] p = new float[scores.length];
        for (int k = 0; k < scores.length; k++) {
            p[k] = (float) Math.exp(scores[k] - max);
            total += p[k];
        }
        for (int k = 0; k < scores.length; k++) {
            p[k] /= (float) total;
        }
        return p;
    }

    private static String values(float[] values) {
        StringBuilder s = new StringBuilder();
        for (int k = 0; k < values.length; k++) {
            s.append(k == 0 ? "" : " ").append(String.format(Locale.ROOT, "%.6g", values[k]));
        }
        return s.toString();
    }
}
