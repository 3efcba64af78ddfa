package org.dnnc.compiler.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.Callable;
import org.dnnc.compiler.lowering.LoweredProgram;
import org.dnnc.compiler.lowering.Lowering;
import org.dnnc.compiler.memory.Buffer;
import org.dnnc.compiler.memory.MemoryPlan;
import org.dnnc.compiler.memory.PlanChart;
import org.dnnc.compiler.sema.NetworkModel;
import org.dnnc.compiler.target.CpuTarget;
import org.dnnc.compiler.target.Target;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** {@code dnnc plan FILE}: where each value of a program lives in its arena, and how tight that is. */
@Command(name = "plan", mixinStandardHelpOptions = true,
        description = "Print the memory plan of a network's program: every buffer with its bytes, offset and live range.")
final class PlanCommand implements Callable<Integer> {
    @ParentCommand
    private DnncCommand parent;

    @Spec
    private CommandSpec spec;

    @Parameters(paramLabel = "FILE", description = "The .dnn file.")
    private Path file;

    @Option(names = "--program", paramLabel = "PROGRAM", defaultValue = "train",
            description = "train, eval or infer (default: ${DEFAULT-VALUE}).")
    private ProgramChoice program;

    @Option(names = "--batch", paramLabel = "N",
            description = "Plan for batches of N examples (default: the batch the generated class plans the program "
                    + "for: the train section's batch; for infer, the batch its predict uses).")
    private Integer batch;

    @Option(names = "--network", paramLabel = "NAME", description = "Only this network of the file.")
    private String network;

    @Option(names = "--no-fuse", description = "Plan the program without the fusion passes.")
    private boolean noFuse;

    @Option(names = "--target", paramLabel = "NAME", converter = TargetConverter.class,
            description = TargetConverter.DESCRIPTION)
    private Target target = CpuTarget.INSTANCE;

    @Option(names = "--chart", description = "Also draw which buffers share bytes over time.")
    private boolean chart;

    @Override
    public Integer call() {
        Console console = parent.console();
        if (batch != null && batch < 1) {
            throw new ParameterException(spec.commandLine(), "--batch must be at least 1, got " + batch);
        }
        Optional<NetworkChoice.Loaded> loaded = NetworkChoice.load(console, file, network);
        if (loaded.isEmpty()) {
            return Main.INPUT_ERRORS;
        }
        if (program == ProgramChoice.FORWARD) {
            throw new ParameterException(spec.commandLine(),
                    "--program must be train, eval or infer: the forward graph is not a program that runs");
        }
        boolean first = true;
        for (NetworkModel model : loaded.get().networks()) {
            Optional<Lowering> lowering = ProgramChoice.lower(console, loaded.get().source(), model, target, !noFuse);
            Optional<LoweredProgram> lowered = lowering.flatMap(l -> program.of(console, loaded.get().source(), l));
            if (lowered.isEmpty()) {
                return Main.INPUT_ERRORS;
            }
            MemoryPlan plan = batch == null ? lowered.get().plan() : lowering.get().plan(program.kind(), batch);
            if (!first) {
                console.out().println();
            }
            first = false;
            print(console.out(), model, plan);
        }
        console.out().flush();
        return Main.OK;
    }

    private void print(PrintWriter out, NetworkModel model, MemoryPlan plan) {
        out.println("program " + program.name().toLowerCase(java.util.Locale.ROOT) + " of " + model.qualifiedName()
                + " for " + target.name() + ", batch " + plan.batch() + ", alignment " + plan.alignment() + " bytes");
        int labelWidth = "value".length();
        for (Buffer b : plan.buffers()) {
            labelWidth = Math.max(labelWidth, b.label().length());
        }
        String format = "  %-" + labelWidth + "s  %12s  %12s  %s%n";
        out.printf(format, "value", "bytes", "offset", "live");
        for (Buffer b : plan.buffers()) {
            out.printf(format, b.label(), ParamTable.count(b.bytes()), ParamTable.count(b.offset()),
                    "[" + b.start() + ", " + b.end() + "]");
        }
        plan.aliases().forEach((value, root) -> out.printf("  %%%d shares the bytes of %%%d%n", value, root));
        out.printf("  naive:       %s bytes (one buffer per value)%n", ParamTable.count(plan.naiveBytes()));
        out.printf("  planned:     %s bytes%n", ParamTable.count(plan.arenaBytes()));
        out.printf("  lower bound: %s bytes (most bytes live at once); planned / lower bound = %.3f%n",
                ParamTable.count(plan.lowerBound()), plan.overhead());
        out.printf("  parameters:  %s bytes, persistent%n", ParamTable.count(plan.persistentBytes()));
        if (chart) {
            out.println();
            out.print(PlanChart.render(plan, 16, 72));
        }
    }
}
