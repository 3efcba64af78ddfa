package org.dnnc.compiler.cli;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.Map;

/** Runs {@code dnnc} in-process and captures what it prints. */
final class Cli {
    private Cli() {}

    record Result(int exitCode, String out, String err) {}

    static Result run(String... args) {
        return run(false, Map.of(), args);
    }

    static Result run(boolean terminal, Map<String, String> env, String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Main.run(args, new PrintWriter(out), new PrintWriter(err), terminal, env);
        return new Result(code, out.toString(), err.toString());
    }
}
