package org.dnnc.runtime.cuda;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import org.dnnc.runtime.io.AtomicFile;

/**
 * Compiled kernels on disk, so that a second run of a program compiles nothing: the PTX of each
 * {@link KernelSource} is stored under the SHA-256 of the compiler's {@link KernelCompiler#id()},
 * the architecture and the source text. A changed source, another GPU generation or another NVRTC
 * therefore gets its own entry; stale entries are never consulted (delete the folder to reclaim the
 * space).
 *
 * <p>An entry is {@code <key>.ptx}: a first line {@code // dnnc-kernel-cache sha256=<hash>} with the
 * hash of the rest, then the PTX. It is written atomically; an entry whose hash does not match (a
 * truncated copy, a disk error) is compiled again and replaced, never loaded.
 *
 * <p>The folder is {@link #defaultFolder()} unless {@link CudaOptions#kernelCache()} says otherwise.
 * Safe to share between processes: writers of one key write the same content, and each rename is
 * atomic.
 */
public final class KernelCache {

    /** The system property naming the cache folder. */
    public static final String FOLDER_PROPERTY = "dnnc.kernelCache";

    private static final String HEADER = "// dnnc-kernel-cache sha256=";

    private final Path folder;
    private final KernelCompiler compiler;
    private int compilations;

    /** A cache in {@code folder} (created when first written) that compiles misses with {@code compiler}. */
    public KernelCache(Path folder, KernelCompiler compiler) {
        this.folder = folder;
        this.compiler = compiler;
    }

    /**
     * The {@value #FOLDER_PROPERTY} system property if set, else {@code $XDG_CACHE_HOME/dnnc/kernels},
     * else {@code ~/.cache/dnnc/kernels}.
     */
    public static Path defaultFolder() {
        String property = System.getProperty(FOLDER_PROPERTY);
        if (property != null && !property.isBlank()) {
            return Path.of(property);
        }
        String xdg = System.getenv("XDG_CACHE_HOME");
        Path base = xdg != null && !xdg.isBlank() ? Path.of(xdg) : Path.of(System.getProperty("user.home"), ".cache");
        return base.resolve("dnnc").resolve("kernels");
    }

    /** How many sources this cache has compiled (misses and corrupt entries); hits do not count. */
    public synchronized int compilations() {
        return compilations;
    }

    /** The cache folder. */
    public Path folder() {
        return folder;
    }

    /**
     * The PTX of {@code source} for {@code architecture}, from the cache or compiled now (and then
     * stored).
     *
     * @throws CudaException if the source does not compile
     * @throws UncheckedIOException if the cache folder cannot be read or written
     */
    public synchronized String ptx(KernelSource source, String architecture) {
        Path entry = folder.resolve(key(source, architecture) + ".ptx");
        String cached = read(entry);
        if (cached != null) {
            return cached;
        }
        String ptx = compiler.compile(source, architecture);
        compilations++;
        write(entry, ptx);
        return ptx;
    }

    /** The entry's name: SHA-256 of compiler id, architecture and source, in hex. */
    String key(KernelSource source, String architecture) {
        return sha256(compiler.id() + "\n" + architecture + "\n" + source.source());
    }

    /** The stored PTX, or null when absent or corrupt. */
    private static String read(Path entry) {
        String text;
        try {
            text = Files.readString(entry, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            return null;
        } catch (IOException e) {
            // Unreadable bytes (invalid UTF-8 included) are a corrupt entry: compile again.
            return null;
        }
        int newline = text.indexOf('\n');
        if (!text.startsWith(HEADER) || newline < 0) {
            return null;
        }
        String ptx = text.substring(newline + 1);
        return text.substring(HEADER.length(), newline).equals(sha256(ptx)) ? ptx : null;
    }

    private void write(Path entry, String ptx) {
        byte[] bytes = (HEADER + sha256(ptx) + "\n" + ptx).getBytes(StandardCharsets.UTF_8);
        try {
            Files.createDirectories(folder);
            AtomicFile.write(entry, out -> AtomicFile.writeFully(out, ByteBuffer.wrap(bytes)));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the kernel cache entry " + entry + " (set -D" + FOLDER_PROPERTY
                    + "=<folder> to use another folder)", e);
        }
    }

    private static String sha256(String text) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime has SHA-256", e);
        }
    }
}
