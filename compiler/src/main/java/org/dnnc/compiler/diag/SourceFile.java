package org.dnnc.compiler.diag;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** The text of one {@code .dnn} file and the path it is reported under, with its lines for diagnostics. */
public final class SourceFile {
    private final String path;
    private final String text;
    private final int[] lineStarts;

    public SourceFile(String path, String text) {
        this.path = path;
        this.text = text;
        List<Integer> starts = new ArrayList<>();
        starts.add(0);
        // A line ends at \n, \r\n or a lone \r (old Mac files), as editors show them.
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '\n' || c == '\r' && (i + 1 == text.length() || text.charAt(i + 1) != '\n')) {
                starts.add(i + 1);
            }
        }
        this.lineStarts = starts.stream().mapToInt(Integer::intValue).toArray();
    }

    public static SourceFile read(Path file) throws IOException {
        return new SourceFile(file.toString(), Files.readString(file, StandardCharsets.UTF_8));
    }

    public String path() {
        return path;
    }

    /** The file name without folders, e.g. {@code FashionMlp.dnn}. */
    public String fileName() {
        int slash = Math.max(path.lastIndexOf('/'), path.lastIndexOf('\\'));
        return path.substring(slash + 1);
    }

    public String text() {
        return text;
    }

    public int lineCount() {
        return lineStarts.length;
    }

    /** The text of 1-based line {@code line}, without its line terminator. */
    public String line(int line) {
        if (line < 1 || line > lineStarts.length) {
            return "";
        }
        int start = lineStarts[line - 1];
        int end = line < lineStarts.length ? lineStarts[line] - 1 : text.length();
        if (end > start && text.charAt(end - 1) == '\r') {
            end--;
        }
        return text.substring(start, Math.max(start, end));
    }

    /** The span of characters {@code [start, end)}, with line and column computed. */
    public Span span(int start, int end) {
        int idx = java.util.Arrays.binarySearch(lineStarts, start);
        int lineIndex = idx >= 0 ? idx : -idx - 2;
        return new Span(start, Math.max(start, end), lineIndex + 1, start - lineStarts[lineIndex] + 1);
    }
}
