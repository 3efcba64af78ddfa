package org.dnnc.compiler.cli;

import java.io.PrintWriter;
import java.util.Map;
import org.dnnc.compiler.Compilation;
import org.dnnc.compiler.diag.Diagnostic;
import org.dnnc.compiler.diag.DiagnosticRenderer;

/** Where the commands write: results to {@code out}, diagnostics and messages to {@code err}. */
final class Console {
    private final PrintWriter out;
    private final PrintWriter err;
    private final boolean terminal;
    private final Map<String, String> env;
    private ColorMode mode = ColorMode.AUTO;

    Console(PrintWriter out, PrintWriter err, boolean terminal, Map<String, String> env) {
        this.out = out;
        this.err = err;
        this.terminal = terminal;
        this.env = env;
    }

    PrintWriter out() {
        return out;
    }

    PrintWriter err() {
        return err;
    }

    void setMode(ColorMode mode) {
        this.mode = mode;
    }

    /** See https://no-color.org: any non-empty {@code NO_COLOR} turns colour off. */
    boolean colorFor(ColorMode requested) {
        return switch (requested) {
            case ALWAYS -> true;
            case NEVER -> false;
            case AUTO -> terminal && env.getOrDefault("NO_COLOR", "").isEmpty();
        };
    }

    boolean color() {
        return colorFor(mode);
    }

    /** Prints a compilation's diagnostics to {@code err}. */
    void report(Compilation compilation) {
        DiagnosticRenderer renderer = new DiagnosticRenderer(color());
        for (Diagnostic d : compilation.diagnostics()) {
            err.print(renderer.render(compilation.source(), d));
        }
        err.flush();
    }

    /** One error at a place in a source file, with the closing count, for problems found after resolution. */
    void errorAt(org.dnnc.compiler.diag.SourceFile source, org.dnnc.compiler.diag.Span span, String message) {
        err.print(new DiagnosticRenderer(color()).render(source, Diagnostic.error(span, message)));
        err.println(DiagnosticRenderer.summary(1, 0));
        err.flush();
    }

    /** A problem with the command itself rather than a source file, e.g. a file that cannot be read. */
    void error(String message) {
        err.println("dnnc: error: " + message);
        err.flush();
    }
}
