package org.dnnc.runtime.data;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPOutputStream;

/** Writes small IDX files for tests, following the format description of MNIST. */
final class IdxFiles {
    private IdxFiles() {}

    /** The bytes of an unsigned-byte IDX file with these dimensions and values. */
    static byte[] bytes(byte[] values, int... dims) {
        ByteBuffer out = ByteBuffer.allocate(4 + 4 * dims.length + values.length);
        out.putInt(0x0800 | dims.length);
        for (int d : dims) {
            out.putInt(d);
        }
        return out.put(values).array();
    }

    static Path write(Path file, byte[] bytes, boolean gzip) throws IOException {
        if (!gzip) {
            return Files.write(file, bytes);
        }
        ByteArrayOutputStream compressed = new ByteArrayOutputStream();
        try (OutputStream out = new GZIPOutputStream(compressed)) {
            out.write(bytes);
        }
        return Files.write(file, compressed.toByteArray());
    }

    /** {@code n} images of {@code rows x cols} whose pixel values count up from the example index. */
    static byte[] images(int n, int rows, int cols) {
        byte[] pixels = new byte[n * rows * cols];
        for (int i = 0; i < pixels.length; i++) {
            pixels[i] = (byte) (i / (rows * cols) + i % (rows * cols));
        }
        return bytes(pixels, n, rows, cols);
    }

    /** Labels {@code i % classes} for {@code n} examples. */
    static byte[] labels(int n, int classes) {
        byte[] labels = new byte[n];
        for (int i = 0; i < n; i++) {
            labels[i] = (byte) (i % classes);
        }
        return bytes(labels, n);
    }
}
