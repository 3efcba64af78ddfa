package org.dnnc.compiler.cli;

import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import picocli.CommandLine;

/**
 * The {@code dnnc} command line. Exit codes: 0 success, 1 errors in the input, 2 bad usage, 70 an
 * internal error (a bug in dnnc; its stack trace only with {@code --stacktrace}).
 */
public final class Main {
    public static final int OK = 0;
    public static final int INPUT_ERRORS = 1;
    public static final int USAGE = 2;
    public static final int INTERNAL_ERROR = 70;

    private Main() {}

    public static void main(String[] args) {
        System.exit(runOnConsole(args, List.of()));
    }

    /** Runs on the process's streams and environment; returns the exit code. */
    public static int runOnConsole(String[] args, List<Object> extraSubcommands) {
        PrintWriter out = new PrintWriter(System.out, true, StandardCharsets.UTF_8);
        PrintWriter err = new PrintWriter(System.err, true, StandardCharsets.UTF_8);
        // Java 17 has no isatty for one stream; a console means stdin and stdout are both terminals.
        int code = run(args, out, err, System.console() != null, System.getenv(), extraSubcommands);
        out.flush();
        err.flush();
        return code;
    }

    /**
     * Runs one command line, writing to {@code out} and {@code err}; returns the exit code.
     *
     * @param terminal whether the output goes to a terminal (colour is used only then, unless asked)
     * @param env the environment, for {@code NO_COLOR}
     */
    public static int run(String[] args, PrintWriter out, PrintWriter err, boolean terminal, Map<String, String> env) {
        return run(args, out, err, terminal, env, List.of());
    }

    /**
     * As {@link #run(String[], PrintWriter, PrintWriter, boolean, Map)}, with more subcommands: the
     * shipped command line adds those that need the runtime, which the compiler does not depend on.
     * They write through picocli's {@code getOut()} and {@code getErr()}.
     */
    public static int run(String[] args, PrintWriter out, PrintWriter err, boolean terminal, Map<String, String> env,
            List<Object> extraSubcommands) {
        DnncCommand root = new DnncCommand(new Console(out, err, terminal, env));
        CommandLine cli = new CommandLine(root);
        extraSubcommands.forEach(cli::addSubcommand);
        cli.setOut(out).setErr(err).setCaseInsensitiveEnumValuesAllowed(true);
        cli.setExecutionExceptionHandler((e, commandLine, parseResult) -> {
            // Commands find some usage errors only after parsing, such as an unknown pass name.
            if (e instanceof CommandLine.ParameterException usage) {
                return commandLine.getParameterExceptionHandler().handleParseException(usage, args);
            }
            return internalError(root.console(), root.stacktrace(), e);
        });
        // Help text is coloured like diagnostics: the colour choice may come from --color on this line.
        cli.setColorScheme(CommandLine.Help.defaultColorScheme(
                root.console().colorFor(ColorMode.fromArgs(args)) ? CommandLine.Help.Ansi.ON : CommandLine.Help.Ansi.OFF));
        int code = cli.execute(args);
        out.flush();
        err.flush();
        return code;
    }

    /** Reports an exception that escaped a command: a bug in dnnc, not in the user's input. */
    static int internalError(Console console, boolean stacktrace, Exception e) {
        if (stacktrace) {
            e.printStackTrace(console.err());
        } else {
            console.err().println("dnnc: internal error: " + describe(e));
            console.err().println("This is a bug in dnnc. Run again with --stacktrace and report the output.");
        }
        console.err().flush();
        return INTERNAL_ERROR;
    }

    private static String describe(Throwable e) {
        String message = e.getMessage();
        return message == null || message.isBlank() ? e.getClass().getSimpleName() : message;
    }
}
