package org.dnnc.runtime.io;

import static java.nio.file.StandardCopyOption.ATOMIC_MOVE;
import static java.nio.file.StandardCopyOption.REPLACE_EXISTING;
import static java.nio.file.LinkOption.NOFOLLOW_LINKS;
import static java.nio.file.StandardOpenOption.CREATE_NEW;
import static java.nio.file.StandardOpenOption.READ;
import static java.nio.file.StandardOpenOption.WRITE;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.WritableByteChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryIteratorException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.ThreadLocalRandom;
import java.util.regex.Pattern;

/**
 * Replaces a file so that it always holds either its old content or the complete new content:
 * the new content goes to a temporary file in the same directory, is forced to disk, and is then
 * renamed over the target. A failure on the way (an exception from the content, a full disk)
 * leaves the old file untouched and removes the temporary file. A temporary file that a killed
 * process left behind is removed by a later write of the same target, once it is {@link
 * #STALE_AFTER} old.
 */
public final class AtomicFile {
    /**
     * How long after its last change a temporary file counts as left behind by an interrupted
     * write. Deleting one can never damage the target (a write whose temporary file vanished fails
     * at the rename and leaves the target as it was), so the age only keeps a later write from
     * failing another process's write still in progress, which changes its file continuously and
     * renames it moments after its last change: an hour of silence means its writer is gone.
     */
    static final Duration STALE_AFTER = Duration.ofHours(1);

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
        String name = absolute.getFileName().toString();
        removeStaleTemporaryFiles(dir, name);
        // In the target's directory because a rename is only atomic within one file system; the
        // leading dot keeps it out of plain directory listings while it exists.
        Path temp = dir.resolve("." + name + "." + Long.toHexString(ThreadLocalRandom.current().nextLong()) + ".tmp");
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
     * Deletes the temporary files of earlier writes of {@code name} that are {@link #STALE_AFTER}
     * old. Best effort: a directory that cannot be listed or a file that cannot be deleted is no
     * reason to fail this write.
     */
    private static void removeStaleTemporaryFiles(Path dir, String name) {
        // As write() names them; the random part has no dot, so those of `name.x` never match.
        Pattern ofName = Pattern.compile("\\." + Pattern.quote(name) + "\\.[0-9a-f]{1,16}\\.tmp");
        Instant staleBefore = Instant.now().minus(STALE_AFTER);
        try (DirectoryStream<Path> temps = Files.newDirectoryStream(dir,
                file -> ofName.matcher(file.getFileName().toString()).matches())) {
            for (Path temp : temps) {
                try {
                    BasicFileAttributes attributes = Files.readAttributes(temp, BasicFileAttributes.class, NOFOLLOW_LINKS);
                    if (attributes.isRegularFile() && attributes.lastModifiedTime().toInstant().isBefore(staleBefore)) {
                        Files.deleteIfExists(temp);
                    }
                } catch (IOException e) {
                    // Perhaps another write removed it first; the others are still worth trying.
                }
            }
        } catch (IOException | DirectoryIteratorException e) {
            // See above: cleaning up is best effort.
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
