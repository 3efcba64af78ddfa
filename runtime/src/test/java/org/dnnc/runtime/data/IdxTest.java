package org.dnnc.runtime.data;

import static com.google.common.truth.Truth.assertThat;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class IdxTest {
    @TempDir
    Path dir;

    @ParameterizedTest(name = "gzip={0}")
    @ValueSource(booleans = {false, true})
    void readsImagesAndLabelsPlainOrGzippedWhateverTheName(boolean gzip) throws IOException {
        Path images = IdxFiles.write(dir.resolve("images.bin"), IdxFiles.images(3, 2, 4), gzip);
        IdxArray read = Idx.read(images);
        assertThat(read.shape()).asList().containsExactly(3, 2, 4).inOrder();
        assertThat(read.count()).isEqualTo(3);
        assertThat(read.data()[8]).isEqualTo(1); // example 1, pixel 0
        assertThat(read.floats(0.5f)[15]).isEqualTo(4f); // example 1, pixel 7: (1 + 7) * 0.5

        byte[] labelBytes = IdxFiles.bytes(new byte[] {0, 9, (byte) 255}, 3);
        IdxArray labels = Idx.read(IdxFiles.write(dir.resolve("labels.gz.not"), labelBytes, gzip));
        assertThat(labels.ints()).asList().containsExactly(0, 9, 255).inOrder();
    }

    @Test
    void badMagicNumbersAreRejected() throws IOException {
        Path text = Files.writeString(dir.resolve("notes.txt"), "hello, world");
        assertThat(message(text)).isEqualTo(text + ": bad magic number 0x68656c6c: not an IDX file (images start "
                + "with 0x00000803, labels with 0x00000801)");
        byte[] floats = IdxFiles.bytes(new byte[4], 1);
        floats[2] = 0x0d;
        Path file = Files.write(dir.resolve("floats.idx"), floats);
        assertThat(message(file)).isEqualTo(file + ": element type 0x0d (magic 0x00000d01) is not supported; only "
                + "unsigned bytes (0x08) are");
    }

    @ParameterizedTest(name = "gzip={0}")
    @ValueSource(booleans = {false, true})
    void truncatedAndOverlongFilesAreRejected(boolean gzip) throws IOException {
        byte[] bytes = IdxFiles.images(3, 2, 4);
        Path file = dir.resolve("images");
        IdxFiles.write(file, Arrays.copyOf(bytes, 2), gzip);
        assertThat(message(file)).isEqualTo(file + ": truncated: 2 bytes, too short for the 4-byte magic number");
        IdxFiles.write(file, Arrays.copyOf(bytes, 10), gzip);
        assertThat(message(file)).isEqualTo(file + ": truncated: the file ends within the 3 dimensions its magic "
                + "number announces");
        IdxFiles.write(file, Arrays.copyOf(bytes, bytes.length - 5), gzip);
        assertThat(message(file)).isEqualTo(file + ": truncated: dimensions 3 x 2 x 4 need 24 bytes of data, found 19");
        IdxFiles.write(file, Arrays.copyOf(bytes, bytes.length + 1), gzip);
        assertThat(message(file)).isEqualTo(file + ": more data than dimensions 3 x 2 x 4 = 24 bytes");
    }

    @Test
    void aCutGzipStreamIsRejected() throws IOException {
        Path file = IdxFiles.write(dir.resolve("images.gz"), IdxFiles.images(50, 28, 28), true);
        byte[] compressed = Files.readAllBytes(file);
        Files.write(file, Arrays.copyOf(compressed, compressed.length / 2));
        assertThat(message(file)).startsWith(file + ": corrupt gzip data (");
    }

    @Test
    void hugeDimensionsAreRejectedBeforeAllocating() throws IOException {
        Path file = Files.write(dir.resolve("huge"), IdxFiles.bytes(new byte[0], 100000, 100000, 28));
        assertThat(message(file)).isEqualTo(file + ": dimensions 100000 x 100000 x ... describe more data than a "
                + "Java array holds");
    }

    private static String message(Path file) {
        return assertThrows(IOException.class, () -> Idx.read(file)).getMessage();
    }
}
