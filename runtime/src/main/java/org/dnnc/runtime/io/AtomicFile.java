package org.dnnc.runtime.io;

import static java.nio.file.StandardCopyOption.ATOMIC_MOVE;
import static java.nio.file.StandardCopyOption.REPLACE_EXISTING;
import static java.nio.file.StandardOpenOption.CREATE_NEW;
import static java.nio.file.StandardOpenOption.READ;
import static java.nio.file.StandardOpenOption.WRITE;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.WritableByteChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Replaces a file so that it always holds either its old content or the complete new content:
 * the new content goes to a temporary file in the same directory, is forced to disk, and is then
 * renamed over the target. A failure on the way (an exception from the content, a full disk)
 * leaves the old file untouched and removes the temporary file.
 */
public final class AtomicFile {

    /** Produces the new content of a file. */
    @FunctionalInterface
    public interface Content {
        /** Writes everything to {@code out}; an exception abandons the replacement. */
        void writeTo(WritableByteChannel out) throws IOException;
    }

    private AtomicFile() {}

    /**
     * Atomically replaces (or creates) {@code target} with what {@code content} writes.
     *
     * @throws IOException if the content or the file system fails; {@code target} is then unchanged
     */
    public static void write(Path target, Content content) throws IOException {
        Path absolute = target.toAbsolutePath();
        Path dir = absolute.getParent();
        // In the target's directory because a rename is only atomic within one file system; the
        // leading dot keeps it out of plain directory listings while it exists.
        Path temp = dir.resolve("." + absolute.getFileName() + "."
                + Long.toHexString(ThreadLocalRandom.current().nextLong()) + ".tmp");
        try {
            try (FileChannel out = FileChannel.open(temp, CREATE_NEW, WRITE)) {
                content.writeTo(out);
                // The data must be on disk before the rename: after a crash the new name must
                // never point at a file whose blocks were not written yet.
                out.force(true);
            }
            try {
                Files.move(temp, absolute, ATOMIC_MOVE);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(temp, absolute, REPLACE_EXISTING);
            }
        } catch (Throwable failure) {
            try {
                Files.deleteIfExists(temp);
            } catch (IOException cleanup) {
                failure.addSuppressed(cleanup);
            }
            throw failure;
        }
        syncDirectory(dir);
    }

    /** Writes all of {@code buffer}, since a channel may accept only part of it per call. */
    public static void writeFully(WritableByteChannel out, ByteBuffer buffer) throws IOException {
        while (buffer.hasRemaining()) {
            out.write(buffer);
        }
    }

    /**
     * Forces the directory entry of the rename to disk. Some platforms (Windows) cannot open a
     * directory as a channel; there the rename is as durable as the platform makes it, which is no
     * reason to fail a write whose data is already safe.
     */
    private static void syncDirectory(Path dir) {
        try (FileChannel channel = FileChannel.open(dir, READ)) {
            channel.force(true);
        } catch (IOException e) {
            // See above: durability of the rename is best effort.
        }
    }
}
