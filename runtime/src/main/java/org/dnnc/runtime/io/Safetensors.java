package org.dnnc.runtime.io;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
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
 * <p>Reading trusts nothing: the header length, the JSON, and every tensor's byte range are
 * checked (the ranges must tile the data exactly) before any tensor data is read, and a {@link
 * CheckpointSpec} is compared with the header before its data is read too. Writing is atomic
 * (see {@link AtomicFile}) and deterministic.
 */
public final class Safetensors {
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
     * @throws IOException if it cannot be read
     */
    public static Checkpoint read(Path file, CheckpointSpec spec) throws IOException {
        try (FileChannel in = FileChannel.open(file, StandardOpenOption.READ)) {
            long size = in.size();
            if (size < 8) {
                throw new CheckpointException(file, "not a safetensors file: " + size
                        + " bytes, fewer than the 8 of the header length");
            }
            long headerLength = readFully(file, in, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
            if (headerLength < 0 || headerLength > SafetensorsHeader.MAX_LENGTH) {
                throw new CheckpointException(file, "header length " + Long.toUnsignedString(headerLength)
                        + " exceeds the limit of " + SafetensorsHeader.MAX_LENGTH
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
