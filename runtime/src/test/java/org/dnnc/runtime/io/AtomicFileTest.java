package org.dnnc.runtime.io;

import static com.google.common.truth.Truth.assertThat;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
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

    @Test
    void aWriteRemovesTheStaleTemporaryFilesOfItsTargetOnly() throws IOException {
        Path file = dir.resolve("state.bin");
        FileTime stale = FileTime.from(Instant.now().minus(AtomicFile.STALE_AFTER).minus(Duration.ofMinutes(1)));
        // Left by interrupted writes of state.bin: the random part is 1 to 16 hex digits.
        Path interrupted = staleFile(".state.bin.3f9a0c21d4e5b677.tmp", stale);
        Path shortRandom = staleFile(".state.bin.a.tmp", stale);
        // Not (or not yet) leftovers of state.bin.
        Files.writeString(dir.resolve(".state.bin.0123.tmp"), "a write in progress");
        staleFile(".state.bin.x.3f9a.tmp", stale);
        staleFile(".state.bin.notes.tmp", stale);
        staleFile(".other.bin.3f9a.tmp", stale);
        staleFile("state.bin.3f9a.tmp", stale);
        Files.setLastModifiedTime(Files.createDirectory(dir.resolve(".state.bin.3f9b.tmp")), stale);

        AtomicFile.write(file, out -> AtomicFile.writeFully(out, ByteBuffer.wrap(new byte[] {1})));

        assertThat(Files.exists(interrupted)).isFalse();
        assertThat(Files.exists(shortRandom)).isFalse();
        assertThat(names()).containsExactly("state.bin", ".state.bin.0123.tmp", ".state.bin.x.3f9a.tmp",
                ".state.bin.notes.tmp", ".other.bin.3f9a.tmp", "state.bin.3f9a.tmp", ".state.bin.3f9b.tmp");
    }

    private Path staleFile(String name, FileTime modified) throws IOException {
        Path file = Files.writeString(dir.resolve(name), "partial");
        Files.setLastModifiedTime(file, modified);
        return file;
    }

    private java.util.List<String> names() throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.map(p -> p.getFileName().toString()).toList();
        }
    }
}
