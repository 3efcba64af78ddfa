package org.dnnc.runtime.data;

import java.io.BufferedInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.StringJoiner;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipException;

/**
 * Reads IDX files, the format of MNIST and Fashion-MNIST: a big-endian magic {@code 0x0000TTDD}
 * ({@code TT} the element type, {@code DD} the number of dimensions), the dimensions as big-endian
 * 32-bit integers, then the values in C order. Unsigned bytes ({@code TT = 0x08}) are supported:
 * {@code 0x00000803} for images {@code [n, rows, cols]} and {@code 0x00000801} for labels
 * {@code [n]}. Gzip-compressed files are recognised by their content, not their name.
 */
public final class Idx {
    /** Magic of an image file: unsigned bytes, three dimensions. */
    public static final int IMAGES = 0x00000803;
    /** Magic of a label file: unsigned bytes, one dimension. */
    public static final int LABELS = 0x00000801;

    private static final int UNSIGNED_BYTE = 0x08;

    private Idx() {}

    /**
     * Reads a whole IDX file, checking that its data is exactly as long as its dimensions say.
     *
     * @throws IOException naming the file and the problem if it is not a valid IDX file of
     *     unsigned bytes, or if it cannot be read
     */
    public static IdxArray read(Path file) throws IOException {
        try (InputStream raw = new BufferedInputStream(Files.newInputStream(file), 1 << 16)) {
            raw.mark(2);
            boolean gzip = raw.read() == 0x1f && raw.read() == 0x8b;
            raw.reset();
            InputStream in = gzip ? new GZIPInputStream(raw, 1 << 16) : raw;
            return read(file, in);
        } catch (ZipException | EOFException e) {
            // Thrown by the gzip layer for a damaged or cut-off stream.
            throw new IOException(file + ": corrupt gzip data (" + e.getMessage() + ")", e);
        }
    }

    private static IdxArray read(Path file, InputStream in) throws IOException {
        byte[] start = in.readNBytes(4);
        if (start.length < 4) {
            throw corrupt(file, "truncated: " + start.length + " bytes, too short for the 4-byte magic number");
        }
        long magic = u32(start, 0);
        if (start[0] != 0 || start[1] != 0 || start[3] == 0) {
            throw corrupt(file, String.format("bad magic number 0x%08x: not an IDX file (images start with "
                    + "0x%08x, labels with 0x%08x)", magic, IMAGES, LABELS));
        }
        if (start[2] != UNSIGNED_BYTE) {
            throw corrupt(file, String.format("element type 0x%02x (magic 0x%08x) is not supported; only unsigned "
                    + "bytes (0x08) are", start[2], magic));
        }
        int rank = start[3] & 0xff;
        byte[] dims = in.readNBytes(4 * rank);
        if (dims.length < 4 * rank) {
            throw corrupt(file, "truncated: the file ends within the " + rank + " dimensions its magic number announces");
        }
        int[] shape = new int[rank];
        StringJoiner product = new StringJoiner(" x ");
        long count = 1;
        for (int i = 0; i < rank; i++) {
            long d = u32(dims, 4 * i);
            product.add(Long.toString(d));
            // Bounded by the largest Java array, checked at each step so that the product cannot overflow.
            count *= d;
            if (d > Integer.MAX_VALUE || count > Integer.MAX_VALUE - 8) {
                throw corrupt(file, "dimensions " + product + (i + 1 < rank ? " x ..." : "")
                        + " describe more data than a Java array holds");
            }
            shape[i] = (int) d;
        }
        byte[] data = in.readNBytes((int) count);
        if (data.length < count) {
            throw corrupt(file, "truncated: dimensions " + product + " need " + count + " bytes of data, found "
                    + data.length);
        }
        if (in.read() >= 0) {
            throw corrupt(file, "more data than dimensions " + product + " = " + count + " bytes");
        }
        return new IdxArray(shape, data);
    }

    /** The big-endian unsigned 32-bit integer at {@code bytes[offset]}. */
    private static long u32(byte[] bytes, int offset) {
        return ((bytes[offset] & 0xffL) << 24) | ((bytes[offset + 1] & 0xff) << 16)
                | ((bytes[offset + 2] & 0xff) << 8) | (bytes[offset + 3] & 0xff);
    }

    private static IOException corrupt(Path file, String problem) {
        return new IOException(file + ": " + problem);
    }
}
