package org.dnnc.runtime.io;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads and writes numpy's {@code .npy} format (versions 1 to 3, C order). Reading checks the
 * magic, the header and that the data fills the file exactly, so a truncated or corrupt file is
 * rejected with its path and the reason.
 */
public final class Npy {
    private static final byte[] MAGIC = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y'};
    /** Headers are a few dozen bytes; anything much larger is not a header we wrote or can trust. */
    private static final int MAX_HEADER = 1 << 16;
    private static final Pattern DESCR = Pattern.compile("'descr'\\s*:\\s*'([<>|=])([a-z])(\\d+)'");
    private static final Pattern FORTRAN = Pattern.compile("'fortran_order'\\s*:\\s*(True|False)");
    private static final Pattern SHAPE = Pattern.compile("'shape'\\s*:\\s*\\(([^)]*)\\)");

    private Npy() {}

    /**
     * Reads a whole array.
     *
     * @throws IOException if the file cannot be read or is not a valid {@code .npy} file
     */
    public static NpyArray read(Path file) throws IOException {
        byte[] bytes = Files.readAllBytes(file);
        ByteBuffer in = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        if (bytes.length < MAGIC.length + 4 || !Arrays.equals(Arrays.copyOf(bytes, MAGIC.length), MAGIC)) {
            throw corrupt(file, "not a .npy file (bad magic)");
        }
        in.position(MAGIC.length);
        int major = in.get() & 0xff;
        in.get();
        long headerLength = switch (major) {
            case 1 -> in.getShort() & 0xffff;
            case 2, 3 -> {
                if (in.remaining() < 4) {
                    throw corrupt(file, "truncated header");
                }
                yield in.getInt() & 0xffffffffL;
            }
            default -> throw corrupt(file, "unsupported .npy version " + major);
        };
        if (headerLength > MAX_HEADER || headerLength > in.remaining()) {
            throw corrupt(file, "header length " + headerLength + " exceeds the file or the limit of " + MAX_HEADER);
        }
        String header = new String(bytes, in.position(), (int) headerLength,
                major == 3 ? StandardCharsets.UTF_8 : StandardCharsets.ISO_8859_1);
        in.position(in.position() + (int) headerLength);

        Matcher descr = DESCR.matcher(header);
        Matcher fortran = FORTRAN.matcher(header);
        Matcher shapeText = SHAPE.matcher(header);
        if (!descr.find() || !fortran.find() || !shapeText.find()) {
            throw corrupt(file, "malformed header " + header.strip());
        }
        if (fortran.group(1).equals("True")) {
            throw corrupt(file, "Fortran-order arrays are not supported; save with C order");
        }
        char order = descr.group(1).charAt(0);
        char kind = descr.group(2).charAt(0);
        int width = Integer.parseInt(descr.group(3));
        String dtype = descr.group(1) + kind + width;
        if (order == '>' && width > 1) {
            throw corrupt(file, "big-endian data (" + dtype + ") is not supported");
        }
        int[] shape = parseShape(file, shapeText.group(1));
        long count = 1;
        for (int d : shape) {
            count *= d;
        }
        long expected = count * width;
        if (in.remaining() != expected) {
            throw corrupt(file, "expected " + expected + " bytes of " + dtype + " data for shape "
                    + Arrays.toString(shape) + ", found " + in.remaining());
        }
        double[] values = new double[(int) count];
        for (int i = 0; i < values.length; i++) {
            values[i] = switch (kind + ":" + width) {
                case "f:4" -> in.getFloat();
                case "f:8" -> in.getDouble();
                case "i:1" -> in.get();
                case "u:1", "b:1" -> in.get() & 0xff;
                case "i:2" -> in.getShort();
                case "u:2" -> in.getShort() & 0xffff;
                case "i:4" -> in.getInt();
                case "u:4" -> in.getInt() & 0xffffffffL;
                case "i:8" -> in.getLong();
                default -> throw corrupt(file, "unsupported element type " + dtype);
            };
        }
        return new NpyArray(dtype, shape, values);
    }

    /** Writes {@code float32} values in C order. */
    public static void write(Path file, float[] values, int... shape) throws IOException {
        ByteBuffer data = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        for (float v : values) {
            data.putFloat(v);
        }
        write(file, "<f4", shape, values.length, data.array());
    }

    /** Writes {@code int32} values in C order. */
    public static void write(Path file, int[] values, int... shape) throws IOException {
        ByteBuffer data = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        for (int v : values) {
            data.putInt(v);
        }
        write(file, "<i4", shape, values.length, data.array());
    }

    private static void write(Path file, String dtype, int[] shape, int count, byte[] data) throws IOException {
        long expected = 1;
        for (int d : shape) {
            expected *= d;
        }
        if (expected != count) {
            throw new IllegalArgumentException("shape " + Arrays.toString(shape) + " holds " + expected
                    + " elements, got " + count);
        }
        String dims = shape.length == 1 ? shape[0] + "," : String.join(", ",
                Arrays.stream(shape).mapToObj(Integer::toString).toArray(String[]::new));
        StringBuilder header = new StringBuilder("{'descr': '" + dtype + "', 'fortran_order': False, 'shape': (" + dims + "), }");
        // Pad with spaces so that the data starts on a 64-byte boundary, as numpy does.
        int unpadded = MAGIC.length + 2 + 2 + header.length() + 1;
        header.append(" ".repeat((64 - unpadded % 64) % 64)).append('\n');
        ByteBuffer out = ByteBuffer.allocate(MAGIC.length + 4 + header.length() + data.length).order(ByteOrder.LITTLE_ENDIAN);
        out.put(MAGIC).put((byte) 1).put((byte) 0).putShort((short) header.length());
        out.put(header.toString().getBytes(StandardCharsets.ISO_8859_1)).put(data);
        Files.write(file, out.array());
    }

    private static int[] parseShape(Path file, String text) throws IOException {
        var dims = new java.util.ArrayList<Integer>();
        for (String part : text.split(",")) {
            String d = part.strip();
            if (d.isEmpty()) {
                continue;
            }
            try {
                int size = Integer.parseInt(d.endsWith("L") ? d.substring(0, d.length() - 1) : d);
                if (size < 0) {
                    throw corrupt(file, "negative dimension in shape (" + text + ")");
                }
                dims.add(size);
            } catch (NumberFormatException e) {
                throw corrupt(file, "bad shape (" + text + ")");
            }
        }
        return dims.stream().mapToInt(Integer::intValue).toArray();
    }

    private static IOException corrupt(Path file, String why) {
        return new IOException(file + ": " + why);
    }
}
