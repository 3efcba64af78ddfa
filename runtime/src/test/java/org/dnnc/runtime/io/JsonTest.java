package org.dnnc.runtime.io;

import static com.google.common.truth.Truth.assertThat;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class JsonTest {
    private static final Path FILE = Path.of("h.safetensors");

    @Test
    void parsesObjectsArraysStringsAndIntegers() throws CheckpointException {
        Object value = Json.parse(FILE, " {\"a\": [1, -2, 0, 9223372036854775807], \"b\": {}, \"c\": \"x\\u00e9\\n\\\"\\\\\\/\"} ");
        assertThat(value).isEqualTo(Map.of("a", List.of(1L, -2L, 0L, Long.MAX_VALUE), "b", Map.of(), "c", "x\u00e9\n\"\\/"));
    }

    @Test
    void quoteRoundTripsEveryCharacter() throws CheckpointException {
        String text = "q\"b\\n\n r\r t\t \u0001 \u00e9 \ud83d\ude00";
        assertThat(Json.parse(FILE, Json.quote(text))).isEqualTo(text);
        assertThat(Json.quote("\u0001")).isEqualTo("\"\\u0001\"");
    }

    @Test
    void rejectsWhatIsNotStrictJson() {
        assertThat(message("01")).endsWith("at character 0: leading zero in a number");
        assertThat(message("1e3")).endsWith("at character 0: only integers are allowed in a safetensors header");
        assertThat(message("-")).endsWith("at character 1: expected a digit after '-'");
        assertThat(message("99999999999999999999")).endsWith("at character 0: integer 99999999999999999999 is out of range");
        assertThat(message("\"\\x\"")).endsWith("at character 1: invalid escape \\x");
        assertThat(message("\"\\u12g4\"")).endsWith("at character 5: invalid hex digit 'g' in a \\u escape");
        assertThat(message("\"abc")).endsWith("at character 4: unterminated string");
        assertThat(message("[1 2]")).endsWith("at character 3: expected ']', found '2'");
        assertThat(message("{\"a\" 1}")).endsWith("at character 5: expected ':', found '1'");
        assertThat(message("null")).endsWith("at character 0: unexpected 'n', expected an object, array, string or integer");
        assertThat(message("[".repeat(100))).endsWith("at character 17: nested more than 16 levels deep");
        assertThat(message("{}\u0000")).isEqualTo(FILE + ": invalid JSON in the header at character 2: unexpected U+0000 "
                + "after the end of the JSON value");
    }

    private static String message(String text) {
        return assertThrows(CheckpointException.class, () -> Json.parse(FILE, text)).getMessage();
    }
}
