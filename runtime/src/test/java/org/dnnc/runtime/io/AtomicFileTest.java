package org.dnnc.runtime.io;

import static com.google.common.truth.Truth.assertThat;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AtomicFileTest {
    @TempDir
    Path dir;

    @Test
    void replacesTheContentWhole() throws IOException {
        Path file = dir.resolve("state.bin");
        AtomicFile.write(file, out -> AtomicFile.writeFully(out, ByteBuffer.wrap(new byte[] {1, 2, 3})));
        AtomicFile.write(file, out -> AtomicFile.writeFully(out, ByteBuffer.wrap(new byte[] {4, 5})));
        assertThat(Files.readAllBytes(file)).isEqualTo(new byte[] {4, 5});
        assertThat(names()).containsExactly("state.bin");
    }

    @Test
    void aFailureMidWriteLeavesTheOldFileAndNoTemporaryFile() throws IOException {
        Path file = dir.resolve("state.bin");
        Files.write(file, new byte[] {9, 9, 9});
        IOException failure = assertThrows(IOException.class, () -> AtomicFile.write(file, out -> {
            AtomicFile.writeFully(out, ByteBuffer.wrap(new byte[1000]));
            throw new IOException("disk full");
        }));
        assertThat(failure).hasMessageThat().isEqualTo("disk full");
        assertThat(Files.readAllBytes(file)).isEqualTo(new byte[] {9, 9, 9});
        assertThat(names()).containsExactly("state.bin");

        assertThrows(IllegalStateException.class, () -> AtomicFile.write(file, out -> {
            throw new IllegalStateException("bug in the caller");
        }));
        assertThat(Files.readAllBytes(file)).isEqualTo(new byte[] {9, 9, 9});
        assertThat(names()).containsExactly("state.bin");
    }

    private java.util.List<String> names() throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.map(p -> p.getFileName().toString()).toList();
        }
    }
}
