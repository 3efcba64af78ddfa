package org.dnnc.compiler.cli;

import org.dnnc.compiler.Compiler;
import picocli.CommandLine.Command;
import picocli.CommandLine.IVersionProvider;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ScopeType;
import picocli.CommandLine.Spec;

/** The top-level {@code dnnc} command; the work is done by its subcommands. */
@Command(
        name = "dnnc",
        mixinStandardHelpOptions = true,
        versionProvider = DnncCommand.Version.class,
        description = "The dnnc neural-network compiler: checks .dnn files and shows each stage of compilation.",
        subcommands = {CheckCommand.class, GraphCommand.class, ParamsCommand.class, PlanCommand.class, EmitCommand.class, CompileCommand.class},
        footer = {"", "Exit codes: 0 ok, 1 errors in the input, 2 bad usage, 70 internal error."})
final class DnncCommand implements Runnable {
    private final Console console;

    @Spec
    private CommandSpec spec;

    @Option(names = "--stacktrace", scope = ScopeType.INHERIT,
            description = "Print the stack trace of an internal error.")
    private boolean stacktrace;

    @Option(names = "--color", scope = ScopeType.INHERIT, paramLabel = "WHEN",
            description = "Colour output: ${COMPLETION-CANDIDATES} (default: auto, on a terminal unless NO_COLOR is set).")
    private ColorMode color = ColorMode.AUTO;

    DnncCommand(Console console) {
        this.console = console;
    }

    /** Runs after parsing, so subcommands see the options given anywhere on the line. */
    Console console() {
        console.setMode(color);
        return console;
    }

    boolean stacktrace() {
        return stacktrace;
    }

    @Override
    public void run() {
        throw new ParameterException(spec.commandLine(), "missing command: use check, graph, params, plan, emit or compile (see dnnc --help)");
    }

    /** The version baked in by the build. */
    static final class Version implements IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {"dnnc " + Compiler.version()};
        }
    }
}
