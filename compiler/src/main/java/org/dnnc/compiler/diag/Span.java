package org.dnnc.compiler.diag;

/**
 * A range of source text: character offsets {@code [start, end)} and the 1-based line and column
 * of {@code start}. Spans are values; the file they belong to is the compilation's one source file.
 */
public record Span(int start, int end, int line, int column) {

    /** A span for things the compiler made up (no source text). */
    public static final Span NONE = new Span(0, 0, 0, 0);

    public Span {
        if (end < start) {
            throw new IllegalArgumentException("span end " + end + " before start " + start);
        }
    }

    public boolean isNone() {
        return line == 0;
    }

    /** The smallest span covering both; {@link #NONE} is the identity. */
    public Span to(Span other) {
        if (isNone()) {
            return other;
        }
        if (other.isNone()) {
            return this;
        }
        Span first = start <= other.start ? this : other;
        return new Span(first.start, Math.max(end, other.end), first.line, first.column);
    }

    public int length() {
        return end - start;
    }
}
