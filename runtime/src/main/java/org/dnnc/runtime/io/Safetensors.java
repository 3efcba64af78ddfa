package org.dnnc.runtime.io;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Checkpoints in the <a href="https://github.com/huggingface/safetensors">safetensors</a> format,
 * which PyTorch and most other frameworks read and write: an 8-byte little-endian header length
 * {@code N}, {@code N} bytes of JSON naming each tensor's dtype, shape and byte range, then the
 * tensors' raw little-endian bytes.
 *
 * <p>Reading trusts nothing: only regular files are opened, the header length is checked against
 * the file's size and {@link #MAX_HEADER_LENGTH} before the header is allocated, the JSON and
 * every tensor's byte range are checked (the ranges must tile the data exactly) before any tensor
 * data is read, and a {@link CheckpointSpec} is compared with the header before its data is read
 * too. Writing is atomic (see {@link AtomicFile}) and deterministic.
 */
public final class Safetensors {
    /**
     * The longest header {@link #read} accepts, in bytes: the limit of the reference implementation.
     * Real headers take kilobytes; the limit, and the file's size, are checked before the header is
     * allocated, so a corrupt length costs no memory.
     */
    public static final long MAX_HEADER_LENGTH = 100_000_000L;

    /** Accepts any checkpoint whose header is valid. */
    private static final CheckpointSpec ANYTHING = CheckpointSpec.builder().allowUnexpected().build();

    private Safetensors() {}

    /**
     * Reads every tensor and the metadata of a checkpoint.
     *
     * @throws CheckpointException if the file is not a valid safetensors file
     * @throws IOException if it cannot be read
     */
    public static Checkpoint read(Path file) throws IOException {
        return read(file, ANYTHING);
    }

    /**
     * Reads a checkpoint that must hold the tensors {@code spec} describes.
     *
     * @throws CheckpointException if the file is not a valid safetensors file or does not match
     *     {@code spec}; the message lists every missing, unexpected and mismatched tensor
     * @throws java.nio.file.FileSystemException if it is not a regular file (a directory, a FIFO, a
     *     device), found so without opening it
     * @throws IOException if it cannot be read
     */
    public static Checkpoint read(Path file, CheckpointSpec spec) throws IOException {
        requireRegularFile(file);
        try (FileChannel in = FileChannel.open(file, StandardOpenOption.READ)) {
            long size = in.size();
            if (size < 8) {
                throw new CheckpointException(file, "not a safetensors file: " + size
                        + " bytes, fewer than the 8 of the header length");
            }
            long headerLength = readFully(file, in, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
            if (headerLength < 0 || headerLength > MAX_HEADER_LENGTH) {
                throw new CheckpointException(file, "header length " + Long.toUnsignedString(headerLength)
                        + " exceeds the limit of " + MAX_HEADER_LENGTH
                        + " bytes; the file is corrupt or not a safetensors file");
            }
            if (headerLength > size - 8) {
                throw new CheckpointException(file, "truncated: the header length is " + headerLength
                        + " bytes, but only " + (size - 8) + " follow it");
            }
            byte[] headerBytes = readFully(file, in, 8, (int) headerLength).array();
            long dataStart = 8 + headerLength;
            SafetensorsHeader header = SafetensorsHeader.parse(file, headerBytes, size - dataStart);

            Map<String, TensorInfo> found = new LinkedHashMap<>();
            header.entries().forEach(entry -> found.put(entry.name(), entry.info()));
            spec.check(file, found);

            Map<String, TensorData> tensors = new LinkedHashMap<>();
            for (SafetensorsHeader.Entry entry : header.entries()) {
                ByteBuffer data = readFully(file, in, dataStart + entry.begin(), (int) (entry.end() - entry.begin()));
                tensors.put(entry.name(), TensorData.wrap(entry.info(), data));
            }
            spec.checkFinite(file, tensors);
            return new Checkpoint(file, tensors, header.metadata());
        }
    }

    /**
     * Refuses tensors that hold a NaN or infinite value, as a training run that diverged leaves
     * them: call it before {@link #write} so that such weights never replace the last good
     * checkpoint (which {@link CheckpointSpec.Builder#requireFinite() a loader} would refuse anyway).
     *
     * @throws CheckpointException naming {@code file}, the first such tensor in the map's order and
     *     the index of the value
     */
    public static void requireFinite(Path file, Map<String, TensorData> tensors) throws CheckpointException {
        for (var tensor : tensors.entrySet()) {
            int index = tensor.getValue().firstNonFinite();
            if (index >= 0) {
                throw new CheckpointException(file, "not saved: tensor `" + tensor.getKey() + "` holds "
                        + tensor.getValue().valueAt(index) + " at index " + index
                        + " (did training diverge?); the file was not touched");
            }
        }
    }

    /**
     * Writes a checkpoint atomically: {@code file} keeps its old content until the new one is
     * completely on disk. The output depends only on the arguments: tensors are laid out by
     * element size (largest first, so each starts aligned to its element size, as the reference
     * implementation does) and then by name; metadata keys are sorted.
     *
     * @param metadata free-form strings stored with the tensors (for example the network's name)
     * @throws IllegalArgumentException if a tensor is named {@code __metadata__}
     * @throws IOException if the file cannot be written; {@code file} is then unchanged
     */
    public static void write(Path file, Map<String, TensorData> tensors, Map<String, String> metadata) throws IOException {
        List<Map.Entry<String, TensorData>> ordered = new ArrayList<>(tensors.entrySet());
        ordered.sort(Comparator.comparingInt((Map.Entry<String, TensorData> e) -> -e.getValue().dtype().size())
                .thenComparing(Map.Entry::getKey));
        List<SafetensorsHeader.Entry> entries = new ArrayList<>();
        long offset = 0;
        for (var tensor : ordered) {
            if (tensor.getKey().equals(SafetensorsHeader.METADATA)) {
                throw new IllegalArgumentException("`" + SafetensorsHeader.METADATA + "` names the metadata, not a tensor");
            }
            TensorInfo info = tensor.getValue().info();
            entries.add(new SafetensorsHeader.Entry(tensor.getKey(), info, offset, offset + info.byteSize()));
            offset += info.byteSize();
        }
        byte[] header = new SafetensorsHeader(entries, metadata).format();
        AtomicFile.write(file, out -> {
            AtomicFile.writeFully(out, ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(0, header.length));
            AtomicFile.writeFully(out, ByteBuffer.wrap(header));
            for (var tensor : ordered) {
                AtomicFile.writeFully(out, tensor.getValue().data());
            }
        });
    }

    /**
     * Rejects directories, FIFOs, devices and sockets by their attributes, before opening: opening
     * a FIFO would block until some process writes to it. (A path swapped for one between this
     * check and the open is beyond what a path can guard against.)
     */
    private static void requireRegularFile(Path file) throws IOException {
        BasicFileAttributes attributes = Files.readAttributes(file, BasicFileAttributes.class);
        if (!attributes.isRegularFile()) {
            String kind = attributes.isDirectory() ? "a directory" : "a FIFO, device or socket";
            throw new FileSystemException(file.toString(), null, "not a checkpoint: " + kind
                    + ", not a regular file");
        }
    }

    private static ByteBuffer readFully(Path file, FileChannel in, long position, int length) throws IOException {
        ByteBuffer buffer = ByteBuffer.allocate(length);
        while (buffer.hasRemaining()) {
            if (in.read(buffer, position + buffer.position()) < 0) {
                throw new CheckpointException(file, "truncated while being read (did another process shorten it?)");
            }
        }
        return buffer.flip();
    }
}
