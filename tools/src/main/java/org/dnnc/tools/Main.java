package org.dnnc.tools;

import java.util.List;

/** The shipped {@code dnnc}: the compiler's commands, plus {@code run} and {@code bench}, which need the runtime. */
public final class Main {
    private Main() {}

    public static void main(String[] args) {
        System.exit(org.dnnc.compiler.cli.Main.runOnConsole(args, List.of(new RunCommand(), new PredictCommand(), new BenchCommand())));
    }
}
