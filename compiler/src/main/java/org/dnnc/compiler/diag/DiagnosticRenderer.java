package org.dnnc.compiler.diag;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

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

    /** Names in messages longer than this are shortened: a generated 1 MB identifier must not fill the terminal. */
    static final int LONGEST_NAME = 64;
    /** Source lines longer than this are shown as a window around the caret. */
    static final int WIDEST_LINE = 160;
    private static final Pattern QUOTED = Pattern.compile("`([A-Za-z_][A-Za-z0-9_.]{" + LONGEST_NAME + ",})`");

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
                .append(paint(BOLD, shorten(message))).append('\n');
    }

    /** {@code `aaaa…aaaa` (200000 characters)} for a quoted name longer than {@link #LONGEST_NAME}. */
    static String shorten(String message) {
        Matcher m = QUOTED.matcher(message);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            String name = m.group(1);
            m.appendReplacement(out, Matcher.quoteReplacement("`" + name.substring(0, LONGEST_NAME / 2)
                    + "…" + name.substring(name.length() - 8) + "` (" + name.length() + " characters)"));
        }
        m.appendTail(out);
        return out.toString();
    }

    private void snippet(StringBuilder out, SourceFile file, Span span) {
        if (span.isNone() || span.line() > file.lineCount()) {
            return;
        }
        String line = file.line(span.line());
        int col = Math.min(span.column() - 1, line.length());
        if (line.length() > WIDEST_LINE) {
            // A window around the caret: a few words before it and the rest of the screen after.
            int from = Math.max(0, col - WIDEST_LINE / 4);
            int to = Math.min(line.length(), from + WIDEST_LINE);
            String prefix = from > 0 ? "…" : "";
            line = prefix + line.substring(from, to) + (to < line.length() ? "…" : "");
            col = col - from + prefix.length();
        }
        out.append(line).append('\n');
        StringBuilder caret = new StringBuilder();
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
