package org.dnnc.runtime.io;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The JSON header of a safetensors file: where each tensor's bytes lie in the data section, and
 * the free-form metadata. {@link #parse} accepts a header only if the tensors exactly tile the
 * data section, so that a loader can trust every offset before it reads a byte of data.
 *
 * @param entries the tensors in the order of their data
 */
record SafetensorsHeader(List<Entry> entries, Map<String, String> metadata) {
    static final String METADATA = "__metadata__";
    private static final Set<String> FIELDS = Set.of("dtype", "shape", "data_offsets");

    /**
     * One tensor: its type and shape, and its bytes {@code [begin, end)} of the data section.
     */
    record Entry(String name, TensorInfo info, long begin, long end) {}

    SafetensorsHeader {
        entries = List.copyOf(entries);
        metadata = Collections.unmodifiableMap(new TreeMap<>(metadata));
    }

    /**
     * Parses and validates a header followed by {@code dataLength} bytes of data.
     *
     * @throws CheckpointException if the header is malformed or does not describe the data
     */
    static SafetensorsHeader parse(Path file, byte[] header, long dataLength) throws CheckpointException {
        requireUtf8(file, header);
        if (!(Json.parse(file, new String(header, StandardCharsets.UTF_8)) instanceof Map<?, ?> members)) {
            throw new CheckpointException(file, "the header is not a JSON object");
        }
        Map<String, String> metadata = Map.of();
        List<Entry> entries = new ArrayList<>();
        for (var member : members.entrySet()) {
            String name = (String) member.getKey();
            if (name.equals(METADATA)) {
                metadata = metadata(file, member.getValue());
            } else {
                entries.add(entry(file, name, member.getValue()));
            }
        }
        entries.sort(Comparator.comparingLong(Entry::begin).thenComparingLong(Entry::end));
        checkLayout(file, entries, dataLength);
        return new SafetensorsHeader(entries, metadata);
    }

    /** The header as written: compact JSON padded with spaces to a multiple of 8 bytes. */
    byte[] format() {
        List<String> members = new ArrayList<>();
        if (!metadata.isEmpty()) {
            List<String> pairs = new ArrayList<>();
            metadata.forEach((key, value) -> pairs.add(Json.quote(key) + ":" + Json.quote(value)));
            members.add(Json.quote(METADATA) + ":{" + String.join(",", pairs) + "}");
        }
        for (Entry entry : entries) {
            members.add(Json.quote(entry.name()) + ":{\"dtype\":\"" + entry.info().dtype() + "\",\"shape\":"
                    + Arrays.toString(entry.info().shape()).replace(" ", "") + ",\"data_offsets\":["
                    + entry.begin() + "," + entry.end() + "]}");
        }
        byte[] bytes = ("{" + String.join(",", members) + "}").getBytes(StandardCharsets.UTF_8);
        // Padding keeps the data section 8-byte aligned, as the reference implementation does.
        byte[] padded = Arrays.copyOf(bytes, (bytes.length + 7) / 8 * 8);
        Arrays.fill(padded, bytes.length, padded.length, (byte) ' ');
        return padded;
    }

    /**
     * Checks that {@code bytes} are valid UTF-8 through a small buffer: decoding the whole header
     * into one {@code CharBuffer} would take twice its size in memory on top of the string.
     */
    private static void requireUtf8(Path file, byte[] bytes) throws CheckpointException {
        CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        ByteBuffer in = ByteBuffer.wrap(bytes);
        CharBuffer chunk = CharBuffer.allocate(4096);
        CoderResult result;
        do {
            result = decoder.decode(in, chunk.clear(), true);
            if (result.isError()) {
                throw new CheckpointException(file, "the header is not valid UTF-8");
            }
        } while (result.isOverflow());
    }

    private static Map<String, String> metadata(Path file, Object value) throws CheckpointException {
        if (!(value instanceof Map<?, ?> members)) {
            throw new CheckpointException(file, "`" + METADATA + "` must be an object of strings");
        }
        Map<String, String> metadata = new TreeMap<>();
        for (var member : members.entrySet()) {
            if (!(member.getValue() instanceof String text)) {
                throw new CheckpointException(file, "`" + METADATA + "` entry `" + member.getKey() + "` is not a string");
            }
            metadata.put((String) member.getKey(), text);
        }
        return metadata;
    }

    private static Entry entry(Path file, String name, Object value) throws CheckpointException {
        String where = "tensor `" + name + "`: ";
        if (!(value instanceof Map<?, ?> fields)) {
            throw new CheckpointException(file, where + "expected an object with dtype, shape and data_offsets");
        }
        for (Object key : fields.keySet()) {
            if (!FIELDS.contains(key)) {
                throw new CheckpointException(file, where + "unknown field `" + key + "`");
            }
        }
        if (!(fields.get("dtype") instanceof String dtypeName)) {
            throw new CheckpointException(file, where + "`dtype` is missing or not a string");
        }
        DType dtype = DType.named(dtypeName);
        if (dtype == null) {
            throw new CheckpointException(file, where + "unsupported dtype " + dtypeName
                    + " (supported: " + Arrays.toString(DType.values()) + ")");
        }
        long[] dims = integers(file, where, fields, "shape");
        long[] offsets = integers(file, where, fields, "data_offsets");
        if (offsets.length != 2) {
            throw new CheckpointException(file, where + "`data_offsets` must hold 2 integers, found " + offsets.length);
        }
        if (offsets[1] < offsets[0]) {
            throw new CheckpointException(file, where + "`data_offsets` " + Arrays.toString(offsets) + " end before they begin");
        }
        int[] shape = new int[dims.length];
        for (int i = 0; i < dims.length; i++) {
            if (dims[i] > Integer.MAX_VALUE) {
                throw new CheckpointException(file, where + "dimension " + dims[i] + " of the shape is too large");
            }
            shape[i] = (int) dims[i];
        }
        TensorInfo info;
        try {
            info = new TensorInfo(dtype, shape);
        } catch (IllegalArgumentException e) {
            throw new CheckpointException(file, where + e.getMessage());
        }
        if (info.byteSize() != offsets[1] - offsets[0]) {
            throw new CheckpointException(file, where + "`data_offsets` " + Arrays.toString(offsets) + " span "
                    + (offsets[1] - offsets[0]) + " bytes, but " + info + " takes " + info.byteSize());
        }
        if (info.byteSize() > Integer.MAX_VALUE) {
            throw new CheckpointException(file, where + info + " takes more than 2 GiB, the limit of one tensor");
        }
        return new Entry(name, info, offsets[0], offsets[1]);
    }

    private static long[] integers(Path file, String where, Map<?, ?> fields, String key) throws CheckpointException {
        if (!(fields.get(key) instanceof List<?> list)) {
            throw new CheckpointException(file, where + "`" + key + "` is missing or not an array");
        }
        long[] values = new long[list.size()];
        for (int i = 0; i < values.length; i++) {
            if (!(list.get(i) instanceof Long n) || n < 0) {
                throw new CheckpointException(file, where + "`" + key + "` must hold non-negative integers, found "
                        + list.get(i));
            }
            values[i] = n;
        }
        return values;
    }

    /** Checks that the tensors, sorted by offset, cover {@code [0, dataLength)} without gaps or overlaps. */
    private static void checkLayout(Path file, List<Entry> entries, long dataLength) throws CheckpointException {
        long covered = 0;
        Entry previous = null;
        for (Entry entry : entries) {
            if (entry.begin() < covered) {
                throw new CheckpointException(file, "tensors `" + previous.name() + "` (bytes " + previous.begin() + " to "
                        + previous.end() + ") and `" + entry.name() + "` (bytes " + entry.begin() + " to " + entry.end()
                        + ") overlap");
            }
            if (entry.begin() > covered) {
                throw new CheckpointException(file, "bytes " + covered + " to " + entry.begin()
                        + " of the data belong to no tensor");
            }
            covered = entry.end();
            previous = entry;
        }
        if (covered > dataLength) {
            throw new CheckpointException(file, "truncated: the tensors take " + covered + " bytes of data, but only "
                    + dataLength + " follow the header");
        }
        if (covered < dataLength) {
            throw new CheckpointException(file, "bytes " + covered + " to " + dataLength
                    + " of the data belong to no tensor");
        }
    }
}
