package org.dnnc.runtime.train;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.StringJoiner;
import org.dnnc.runtime.io.AtomicFile;

/** What the training logs ({@link History}, {@link BatchLog}) share: how values are written, and the atomic write. */
final class LogText {
    private LogText() {}

    /** A CSV field: empty for a quantity not measured (NaN), else the shortest exact decimal. */
    static String csv(double value) {
        return Double.isFinite(value) ? Double.toString(value) : "";
    }

    /** A JSON number, or {@code null}: JSON has no NaN or infinity, and null says "not measured" to any reader. */
    static String json(double value) {
        return Double.isFinite(value) ? Double.toString(value) : "null";
    }

    /** One CSV line ending in {@code \n}: the counts, then the values ({@link #csv(double)}). */
    static String csvLine(long[] counts, double[] values) {
        StringJoiner line = new StringJoiner(",", "", "\n");
        for (long count : counts) {
            line.add(Long.toString(count));
        }
        for (double value : values) {
            line.add(csv(value));
        }
        return line.toString();
    }

    /** One JSON object: {@code keys} name the counts, then the values ({@link #json(double)}). */
    static String jsonObject(List<String> keys, long[] counts, double[] values) {
        StringJoiner object = new StringJoiner(",", "{", "}");
        for (int k = 0; k < counts.length; k++) {
            object.add(jsonString(keys.get(k)) + ":" + counts[k]);
        }
        for (int k = 0; k < values.length; k++) {
            object.add(jsonString(keys.get(counts.length + k)) + ":" + json(values[k]));
        }
        return object.toString();
    }

    /** {@code text} as a JSON string: quotes, backslashes and control characters escaped. */
    static String jsonString(String text) {
        StringBuilder out = new StringBuilder("\"");
        text.codePoints().forEach(c -> {
            if (c == '"' || c == '\\') {
                out.append('\\').appendCodePoint(c);
            } else if (c < 0x20) {
                out.append(String.format(Locale.ROOT, "\\u%04x", c));
            } else {
                out.appendCodePoint(c);
            }
        });
        return out.append('"').toString();
    }

    /** Replaces {@code file} with {@code text} in UTF-8, atomically: a reader never sees half a log. */
    static void write(Path file, String text) throws IOException {
        ByteBuffer bytes = ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8));
        AtomicFile.write(file, out -> {
            while (bytes.hasRemaining()) {
                out.write(bytes);
            }
        });
    }
}
