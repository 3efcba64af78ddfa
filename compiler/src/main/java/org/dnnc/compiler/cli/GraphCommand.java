package org.dnnc.compiler.cli;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import org.dnnc.compiler.ir.DotPrinter;
import org.dnnc.compiler.ir.Graph;
import org.dnnc.compiler.ir.IrPrinter;
import org.dnnc.compiler.passes.Explaining;
import org.dnnc.compiler.passes.Pass;
import org.dnnc.compiler.passes.PassListener;
import org.dnnc.compiler.passes.PassManager;
import org.dnnc.compiler.sema.NetworkModel;
import org.dnnc.compiler.target.CpuTarget;
import org.dnnc.compiler.target.Target;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** {@code dnnc graph FILE}: the IR of each network, after every pass or after a chosen one. */
@Command(name = "graph", mixinStandardHelpOptions = true,
        description = "Print the IR of the networks in FILE with every shape resolved.")
final class GraphCommand implements Callable<Integer> {
    /** The stage before any pass: the graph as the front end built it. */
    static final String RESOLVE = "resolve";
    /** The stage after every fusion pass. */
    static final String FUSE = "fuse";

    @ParentCommand
    private DnncCommand parent;

    @Spec
    private CommandSpec spec;

    @Parameters(arity = "0..1", paramLabel = "FILE", description = "The .dnn file.")
    private Path file;

    @Option(names = "--after", paramLabel = "PASS",
            description = "Print the graph after this stage: resolve (as built), fuse (after every fusion pass) or a"
                    + " pass from --list-passes. Default: after the last pass.")
    private String after;

    @Option(names = "--dot", description = "Print Graphviz DOT instead of text.")
    private boolean dot;

    @Option(names = "--network", paramLabel = "NAME", description = "Only this network of the file.")
    private String network;

    @Option(names = "--program", paramLabel = "PROGRAM", defaultValue = "forward",
            description = "Which program: forward (as written, with the loss), train (the training step: loss and"
                    + " gradients), eval (outputs and loss, no dropout) or infer (outputs only). Default: ${DEFAULT-VALUE}.")
    private ProgramChoice program;

    @Option(names = "--target", paramLabel = "NAME", converter = TargetConverter.class,
            description = TargetConverter.DESCRIPTION)
    private Target target = CpuTarget.INSTANCE;

    @Option(names = "--list-passes", description = "List the stages --after accepts, in order, and exit.")
    private boolean listPasses;

    @Option(names = "--explain", description = "Say, before each graph, why candidates of the fusion passes were not fused, and which algorithm each convolution runs on the target and why.")
    private boolean explain;

    @Override
    public Integer call() {
        Console console = parent.console();
        PassManager standard = target.passes(true);
        if (listPasses) {
            console.out().printf("%-10s %s%n", RESOLVE, "the graph as built by the front end");
            for (Pass pass : standard.passes()) {
                console.out().printf("%-10s %s%n", pass.name(), pass.description());
            }
            return Main.OK;
        }
        if (file == null) {
            throw new ParameterException(spec.commandLine(), "missing FILE");
        }
        int stop = passesUpTo(standard);
        Optional<NetworkChoice.Loaded> loaded = NetworkChoice.load(console, file, network);
        if (loaded.isEmpty()) {
            return Main.INPUT_ERRORS;
        }
        PassManager pipeline = new PassManager(standard.passes().subList(0, stop));
        var dumps = new java.util.ArrayList<String>();
        for (NetworkModel n : loaded.get().networks()) {
            Optional<ProgramChoice.Built> built = program.build(console, loaded.get().source(), n, target, true);
            if (built.isEmpty()) {
                return Main.INPUT_ERRORS;
            }
            StringBuilder notes = new StringBuilder();
            Graph result = pipeline.run(built.get().graph(), PassListener.NONE);
            if (explain) {
                Graph current = built.get().graph();
                for (Pass pass : pipeline.passes()) {
                    if (pass instanceof Explaining e) {
                        e.explain(current).forEach(line -> notes.append("# ").append(pass.name()).append(": ")
                                .append(line).append('\n'));
                    }
                    current = pass.run(current);
                }
                target.explainConvolutions(result, n.train().batch()).forEach(line -> notes.append("# conv-algorithm: ").append(line)
                        .append('\n'));
                target.explainDenseGemms(result, built.get().batch()).forEach(line -> notes.append("# dense-gemm: ")
                        .append(line).append('\n'));
            }
            dumps.add(notes + print(result));
        }
        console.out().print(String.join("\n", dumps));
        console.out().flush();
        return Main.OK;
    }

    /** How many of the standard passes to run for {@code --after}. */
    private int passesUpTo(PassManager standard) {
        List<Pass> passes = standard.passes();
        if (after == null) {
            return passes.size();
        }
        if (after.equals(RESOLVE)) {
            return 0;
        }
        if (after.equals(FUSE)) {
            int last = 0;
            for (int i = 0; i < passes.size(); i++) {
                if (passes.get(i).name().startsWith("fuse-") || passes.get(i).name().startsWith("fold-")) {
                    last = i + 1;
                }
            }
            return last;
        }
        for (int i = 0; i < passes.size(); i++) {
            if (passes.get(i).name().equals(after)) {
                return i + 1;
            }
        }
        String known = RESOLVE + ", " + FUSE + ", " + passes.stream().map(Pass::name).collect(Collectors.joining(", "));
        throw new ParameterException(spec.commandLine(), "unknown pass '" + after + "' for --after; stages are: " + known);
    }

    private String print(Graph graph) {
        return dot ? DotPrinter.print(graph) : IrPrinter.print(graph);
    }
}
