package org.dnnc.compiler.diag;

import java.util.List;

/**
 * One message about the source: where, how bad, what, and optionally a hint ("did you mean ...")
 * and related locations (notes), such as the layer that produced the other shape.
 */
public record Diagnostic(Severity severity, Span span, String message, List<String> hints, List<Note> notes) {

    /** A secondary location with its own message. */
    public record Note(Span span, String message) {}

    public Diagnostic {
        hints = List.copyOf(hints);
        notes = List.copyOf(notes);
    }

    /** An error not yet reported; add hints and notes, then hand it to {@link Diagnostics#report}. */
    public static Diagnostic error(Span span, String message) {
        return new Diagnostic(Severity.ERROR, span, message, List.of(), List.of());
    }

    public static Diagnostic warning(Span span, String message) {
        return new Diagnostic(Severity.WARNING, span, message, List.of(), List.of());
    }

    public Diagnostic withHint(String hint) {
        return new Diagnostic(severity, span, message, append(hints, hint), notes);
    }

    public Diagnostic withNote(Span where, String text) {
        return new Diagnostic(severity, span, message, hints, append(notes, new Note(where, text)));
    }

    private static <T> List<T> append(List<T> list, T item) {
        var copy = new java.util.ArrayList<>(list);
        copy.add(item);
        return copy;
    }
}
