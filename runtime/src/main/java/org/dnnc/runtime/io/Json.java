package org.dnnc.runtime.io;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Just enough JSON for safetensors headers, so that the runtime needs no JSON library: objects
 * (as {@link LinkedHashMap}s, duplicate keys rejected), arrays ({@link List}s), strings and
 * integers ({@link Long}s). Fractions, exponents, {@code true}, {@code false} and {@code null}
 * never occur in a header, so they are rejected like malformed text.
 */
final class Json {
    /** Headers nest three levels deep; the limit keeps hostile input from exhausting the stack. */
    private static final int MAX_DEPTH = 16;

    private final Path file;
    private final String text;
    private int pos;

    private Json(Path file, String text) {
        this.file = file;
        this.text = text;
    }

    /**
     * Parses one JSON value that makes up the whole of {@code text} (surrounding whitespace
     * allowed).
     *
     * @throws CheckpointException naming {@code file} and the character where the text goes wrong
     */
    static Object parse(Path file, String text) throws CheckpointException {
        Json json = new Json(file, text);
        Object value = json.value(0);
        json.skipWhitespace();
        if (json.pos < text.length()) {
            throw json.error("unexpected " + json.describe() + " after the end of the JSON value");
        }
        return value;
    }

    /** {@code s} as a JSON string literal: quotes, backslashes and control characters escaped. */
    static String quote(String s) {
        StringBuilder out = new StringBuilder(s.length() + 2).append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                default -> {
                    if (c < 0x20) {
                        out.append(String.format("\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        return out.append('"').toString();
    }

    private Object value(int depth) throws CheckpointException {
        if (depth > MAX_DEPTH) {
            throw error("nested more than " + MAX_DEPTH + " levels deep");
        }
        skipWhitespace();
        if (pos >= text.length()) {
            throw error("unexpected end of the header, expected a value");
        }
        char c = text.charAt(pos);
        if (c == '{') {
            return object(depth);
        } else if (c == '[') {
            return array(depth);
        } else if (c == '"') {
            return string();
        } else if (c == '-' || (c >= '0' && c <= '9')) {
            return integer();
        }
        throw error("unexpected " + describe() + ", expected an object, array, string or integer");
    }

    private Map<String, Object> object(int depth) throws CheckpointException {
        Map<String, Object> members = new LinkedHashMap<>();
        pos++;
        skipWhitespace();
        if (consume('}')) {
            return members;
        }
        do {
            skipWhitespace();
            if (pos >= text.length() || text.charAt(pos) != '"') {
                throw error("expected a string key, found " + describe());
            }
            int keyStart = pos;
            String key = string();
            skipWhitespace();
            expect(':');
            if (members.containsKey(key)) {
                pos = keyStart;
                throw error("duplicate key " + quote(key));
            }
            members.put(key, value(depth + 1));
            skipWhitespace();
        } while (consume(','));
        expect('}');
        return members;
    }

    private List<Object> array(int depth) throws CheckpointException {
        List<Object> elements = new ArrayList<>();
        pos++;
        skipWhitespace();
        if (consume(']')) {
            return elements;
        }
        do {
            elements.add(value(depth + 1));
            skipWhitespace();
        } while (consume(','));
        expect(']');
        return elements;
    }

    private String string() throws CheckpointException {
        StringBuilder out = new StringBuilder();
        pos++;
        while (true) {
            if (pos >= text.length()) {
                throw error("unterminated string");
            }
            char c = text.charAt(pos++);
            if (c == '"') {
                return out.toString();
            } else if (c < 0x20) {
                pos--;
                throw error("control character U+" + String.format("%04X", (int) c) + " in a string");
            } else if (c != '\\') {
                out.append(c);
                continue;
            }
            if (pos >= text.length()) {
                throw error("unterminated string");
            }
            char escape = text.charAt(pos++);
            switch (escape) {
                case '"', '\\', '/' -> out.append(escape);
                case 'b' -> out.append('\b');
                case 'f' -> out.append('\f');
                case 'n' -> out.append('\n');
                case 'r' -> out.append('\r');
                case 't' -> out.append('\t');
                case 'u' -> out.append(unicodeEscape());
                default -> {
                    pos -= 2;
                    throw error("invalid escape \\" + escape);
                }
            }
        }
    }

    private char unicodeEscape() throws CheckpointException {
        if (pos + 4 > text.length()) {
            throw error("incomplete \\u escape");
        }
        int code = 0;
        for (int i = 0; i < 4; i++) {
            int digit = Character.digit(text.charAt(pos), 16);
            if (digit < 0) {
                throw error("invalid hex digit " + describe() + " in a \\u escape");
            }
            code = code * 16 + digit;
            pos++;
        }
        return (char) code;
    }

    private Long integer() throws CheckpointException {
        int start = pos;
        if (text.charAt(pos) == '-') {
            pos++;
        }
        int digitsStart = pos;
        while (pos < text.length() && text.charAt(pos) >= '0' && text.charAt(pos) <= '9') {
            pos++;
        }
        if (pos == digitsStart) {
            throw error("expected a digit after '-'");
        }
        if (text.charAt(digitsStart) == '0' && pos - digitsStart > 1) {
            pos = digitsStart;
            throw error("leading zero in a number");
        }
        if (pos < text.length() && ".eE".indexOf(text.charAt(pos)) >= 0) {
            pos = start;
            throw error("only integers are allowed in a safetensors header");
        }
        try {
            return Long.parseLong(text, start, pos, 10);
        } catch (NumberFormatException e) {
            String digits = text.substring(start, pos);
            pos = start;
            throw error("integer " + digits + " is out of range");
        }
    }

    private void skipWhitespace() {
        while (pos < text.length() && " \t\n\r".indexOf(text.charAt(pos)) >= 0) {
            pos++;
        }
    }

    private boolean consume(char c) {
        if (pos < text.length() && text.charAt(pos) == c) {
            pos++;
            return true;
        }
        return false;
    }

    private void expect(char c) throws CheckpointException {
        if (!consume(c)) {
            throw error("expected '" + c + "', found " + describe());
        }
    }

    /** The character at the current position, for messages. */
    private String describe() {
        if (pos >= text.length()) {
            return "end of the header";
        }
        char c = text.charAt(pos);
        return c < 0x20 || c == 0x7f ? String.format("U+%04X", (int) c) : "'" + c + "'";
    }

    private CheckpointException error(String problem) {
        return new CheckpointException(file, "invalid JSON in the header at character " + pos + ": " + problem);
    }
}
