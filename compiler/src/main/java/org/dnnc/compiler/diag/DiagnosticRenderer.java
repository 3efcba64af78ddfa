package org.dnnc.compiler.diag;

/**
 * Prints diagnostics the way compilers do:
 *
 * <pre>
 * net.dnn:7:35: error: unknown layer `dropot`
 *     logits = image -&gt; dense(10) -&gt; dropot(0.5);
 *                                    ^~~~~~
 *   help: did you mean `dropout`?
 * </pre>
 *
 * Colour (ANSI) only when asked for; the caller decides from the terminal and {@code NO_COLOR}.
 */
public final class DiagnosticRenderer {
    private static final String RESET = "\u001b[0m";
    private static final String BOLD = "\u001b[1m";
    private static final String RED = "\u001b[1;31m";
    private static final String MAGENTA = "\u001b[1;35m";
    private static final String CYAN = "\u001b[1;36m";
    private static final String GREEN = "\u001b[1;32m";

    private final boolean color;

    public DiagnosticRenderer(boolean color) {
        this.color = color;
    }

    public String render(SourceFile file, Diagnostic d) {
        StringBuilder out = new StringBuilder();
        header(out, file, d.span(), d.severity().label(), severityColor(d.severity()), d.message());
        snippet(out, file, d.span());
        for (String hint : d.hints()) {
            out.append("  ").append(paint(GREEN, "help:")).append(' ').append(hint).append('\n');
        }
        for (Diagnostic.Note note : d.notes()) {
            header(out, file, note.span(), "note", CYAN, note.message());
            snippet(out, file, note.span());
        }
        return out.toString();
    }

    /** The closing line: {@code 2 errors, 1 warning}. */
    public static String summary(int errors, int warnings) {
        StringBuilder s = new StringBuilder();
        if (errors > 0) {
            s.append(errors).append(errors == 1 ? " error" : " errors");
        }
        if (warnings > 0) {
            if (s.length() > 0) {
                s.append(", ");
            }
            s.append(warnings).append(warnings == 1 ? " warning" : " warnings");
        }
        return s.toString();
    }

    private void header(StringBuilder out, SourceFile file, Span span, String label, String labelColor, String message) {
        String where = span.isNone() ? file.path() : file.path() + ":" + span.line() + ":" + span.column();
        out.append(paint(BOLD, where + ":")).append(' ')
                .append(paint(labelColor, label + ":")).append(' ')
                .append(paint(BOLD, message)).append('\n');
    }

    private void snippet(StringBuilder out, SourceFile file, Span span) {
        if (span.isNone() || span.line() > file.lineCount()) {
            return;
        }
        String line = file.line(span.line());
        out.append(line).append('\n');
        StringBuilder caret = new StringBuilder();
        int col = Math.min(span.column() - 1, line.length());
        for (int i = 0; i < col; i++) {
            caret.append(line.charAt(i) == '\t' ? '\t' : ' ');
        }
        // Underline to the end of the span, but not past the end of its first line.
        int width = Math.max(1, Math.min(span.length(), line.length() - col));
        caret.append('^');
        caret.append("~".repeat(width - 1));
        out.append(paint(GREEN, caret.toString())).append('\n');
    }

    private String severityColor(Severity severity) {
        return switch (severity) {
            case ERROR -> RED;
            case WARNING -> MAGENTA;
            case NOTE -> CYAN;
        };
    }

    private String paint(String code, String text) {
        return color ? code + text + RESET : text;
    }
}
