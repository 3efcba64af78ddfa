package org.dnnc.runtime.data;

import static com.google.common.truth.Truth.assertThat;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.dnnc.runtime.ElementType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Text as token ids: bytes or characters, next-token windows, and an in-order split. */
class TextCorpusTest {
    @TempDir
    Path dir;

    @Test
    void bytesAreIdsAndWindowsPredictTheNextByte() throws IOException {
        Path file = Files.write(dir.resolve("t.txt"), "abcdefghij".getBytes(StandardCharsets.US_ASCII));
        TextCorpus corpus = TextCorpus.bytes(file);
        assertThat(corpus.length()).isEqualTo(10);
        assertThat(corpus.vocabularySize()).isEqualTo(256);
        assertThat(corpus.byteLevel()).isTrue();

        // (10 - 1) / 4 = 2 windows; the tail "ij" fills none.
        Dataset windows = corpus.windows(4, "tokens", "next");
        assertThat(windows.size()).isEqualTo(2);
        assertThat(windows.column("tokens").type()).isEqualTo(ElementType.INT32);
        assertThat(windows.column("tokens").shape()).asList().containsExactly(4);
        assertThat(row(windows, "tokens", 1)).isEqualTo("efgh");
        assertThat(row(windows, "next", 0)).isEqualTo("bcde");
        assertThat(row(windows, "next", 1)).isEqualTo("fghi");
    }

    @Test
    void bytesAboveAsciiAreNotNegative() throws IOException {
        Path file = Files.write(dir.resolve("b.bin"), new byte[] {(byte) 0xff, 0, (byte) 0x80});
        assertThat(TextCorpus.bytes(file).ids()).asList().containsExactly(255, 0, 128).inOrder();
    }

    @Test
    void aFolderIsItsRegularFilesInNameOrder() throws IOException {
        Files.writeString(dir.resolve("b"), "second");
        Files.writeString(dir.resolve("a"), "first ");
        Files.createDirectory(dir.resolve("c-folder"));
        Files.createSymbolicLink(dir.resolve("d-link"), dir.resolve("a"));
        TextCorpus corpus = TextCorpus.bytes(dir);
        assertThat(corpus.decode(corpus.ids())).isEqualTo("first second");
    }

    @Test
    void charactersNumberTheDistinctCodePointsInOrder() throws IOException {
        Path file = Files.writeString(dir.resolve("u.txt"), "baé€b", StandardCharsets.UTF_8);
        TextCorpus corpus = TextCorpus.characters(file);
        assertThat(corpus.byteLevel()).isFalse();
        assertThat(corpus.vocabularySize()).isEqualTo(4);
        assertThat(corpus.ids()).asList().containsExactly(1, 0, 2, 3, 1).inOrder();
        assertThat(corpus.decode(new int[] {3, 2})).isEqualTo("€é");
        assertThat(corpus.encode("ab€")).asList().containsExactly(0, 1, 3).inOrder();
        assertThat(assertThrows(IllegalArgumentException.class, () -> corpus.encode("z"))).hasMessageThat()
                .isEqualTo("the character z (U+007A) does not occur in the corpus");
        assertThat(assertThrows(IllegalArgumentException.class, () -> corpus.decode(new int[] {4}))).hasMessageThat()
                .isEqualTo("token id 4 is outside the vocabulary of 4");
    }

    @Test
    void textThatIsNotUtf8NamesTheByte() throws IOException {
        Path file = Files.write(dir.resolve("bad.txt"), new byte[] {'o', 'k', (byte) 0xc3, '!'});
        IOException e = assertThrows(IOException.class, () -> TextCorpus.characters(file));
        assertThat(e).hasMessageThat().isEqualTo(file + ": not UTF-8 text (at byte 2); read it with TextCorpus.bytes instead");
    }

    @Test
    void splitKeepsOrder() throws IOException {
        Path file = Files.writeString(dir.resolve("t.txt"), "0123456789");
        TextCorpus.Split parts = TextCorpus.bytes(file).split(0.9);
        assertThat(parts.train().decode(parts.train().ids())).isEqualTo("012345678");
        assertThat(parts.test().decode(parts.test().ids())).isEqualTo("9");
        assertThrows(IllegalArgumentException.class, () -> TextCorpus.bytes(file).split(1.0));
    }

    @Test
    void mistakesAreNamed() throws IOException {
        Path file = Files.writeString(dir.resolve("t.txt"), "abc");
        TextCorpus corpus = TextCorpus.bytes(file);
        assertThat(assertThrows(IllegalArgumentException.class, () -> corpus.windows(3, "x", "y"))).hasMessageThat()
                .isEqualTo("a corpus of 3 tokens holds no window of 3 tokens and its next token");
        assertThat(assertThrows(IllegalArgumentException.class, () -> corpus.windows(1, "x", "x"))).hasMessageThat()
                .isEqualTo("the input and target columns need two names, got `x` twice");
        Path empty = Files.createDirectory(dir.resolve("empty"));
        assertThat(assertThrows(IOException.class, () -> TextCorpus.bytes(empty))).hasMessageThat()
                .isEqualTo(empty + ": the folder holds no regular file to read");
        assertThat(assertThrows(IOException.class, () -> TextCorpus.bytes(dir.resolve("none")))).hasMessageThat()
                .isEqualTo(dir.resolve("none") + ": no such file or folder");
    }

    private static String row(Dataset data, String column, int example) {
        Column c = data.column(column);
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < c.size(); i++) {
            out.append((char) c.value(example, i).intValue());
        }
        return out.toString();
    }
}
