package org.dnnc.runtime.io;

import static com.google.common.truth.Truth.assertThat;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class NpyTest {
    @TempDir
    Path dir;

    @Test
    void floatsRoundTrip() throws IOException {
        Path file = dir.resolve("a.npy");
        float[] values = {1.5f, -2f, 3.25f, 0f, 1e-7f, 42f};
        Npy.write(file, values, 2, 3);
        NpyArray read = Npy.read(file);
        assertThat(read.dtype()).isEqualTo("<f4");
        assertThat(read.shape()).asList().containsExactly(2, 3).inOrder();
        assertThat(read.floats()).usingExactEquality().containsExactly(values).inOrder();
        // numpy aligns the data to 64 bytes.
        assertThat((Files.size(file) - 24) % 64).isEqualTo(0);
    }

    @Test
    void intsRoundTripIncludingVectors() throws IOException {
        Path file = dir.resolve("labels.npy");
        Npy.write(file, new int[] {3, 1, 4, 1, 5}, 5);
        NpyArray read = Npy.read(file);
        assertThat(read.dtype()).isEqualTo("<i4");
        assertThat(read.shape()).asList().containsExactly(5);
        assertThat(read.ints()).asList().containsExactly(3, 1, 4, 1, 5).inOrder();
        assertThrows(IllegalStateException.class, () -> Npy.read(writeFloats()).ints());
    }

    @Test
    void readsTheGoldenFilesWrittenByNumpy() throws IOException {
        Path golden = Path.of(System.getProperty("dnnc.repoRoot", "..")).toAbsolutePath()
                .resolveSibling("shared").resolve("golden/cases/dense");
        NpyArray weight = Npy.read(golden.resolve("weight.npy"));
        assertThat(weight.dtype()).isEqualTo("<f4");
        assertThat(weight.shape().length).isEqualTo(2);
        assertThat(weight.floats().length).isEqualTo(weight.shape()[0] * weight.shape()[1]);
    }

    @Test
    void truncatedDataIsRejectedWithTheReason() throws IOException {
        Path file = writeFloats();
        byte[] bytes = Files.readAllBytes(file);
        Files.write(file, Arrays.copyOf(bytes, bytes.length - 3));
        IOException e = assertThrows(IOException.class, () -> Npy.read(file));
        assertThat(e).hasMessageThat().contains("expected 24 bytes of <f4 data for shape [2, 3], found 21");
    }

    @Test
    void badMagicAndHugeHeadersAreRejected() throws IOException {
        Path text = dir.resolve("text.npy");
        Files.writeString(text, "hello, this is not numpy");
        assertThat(assertThrows(IOException.class, () -> Npy.read(text))).hasMessageThat().contains("bad magic");

        Path file = writeFloats();
        byte[] bytes = Files.readAllBytes(file);
        bytes[6] = 2; // version 2: the next four bytes are the header length
        bytes[8] = (byte) 0xff;
        bytes[9] = (byte) 0xff;
        bytes[10] = (byte) 0xff;
        bytes[11] = (byte) 0x7f;
        Files.write(file, bytes);
        assertThat(assertThrows(IOException.class, () -> Npy.read(file))).hasMessageThat().contains("header length");
    }

    @Test
    void writingChecksTheShape() {
        assertThrows(IllegalArgumentException.class, () -> Npy.write(dir.resolve("x.npy"), new float[5], 2, 3));
    }

    private Path writeFloats() throws IOException {
        Path file = dir.resolve("f.npy");
        Npy.write(file, new float[] {1, 2, 3, 4, 5, 6}, 2, 3);
        return file;
    }
}
