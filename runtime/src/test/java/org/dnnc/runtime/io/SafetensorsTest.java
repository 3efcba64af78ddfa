package org.dnnc.runtime.io;

import static com.google.common.truth.Truth.assertThat;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class SafetensorsTest {
    private static final float[] WEIGHT = {1.5f, -2f, 3.25f, 0f, 1e-7f, Float.MAX_VALUE};

    @TempDir
    Path dir;

    @Test
    void roundTripKeepsTypesShapesValuesAndMetadata() throws IOException {
        Path file = dir.resolve("net.safetensors");
        Safetensors.write(file, sampleTensors(), Map.of("network", "Mlp", "epoch", "3"));

        Checkpoint read = Safetensors.read(file);
        assertThat(read.tensors().keySet()).containsExactly("b", "empty", "step", "w", "wide").inOrder();
        assertThat(read.floats("w", 2, 3)).usingExactEquality().containsExactly(WEIGHT).inOrder();
        assertThat(read.floats("b", 3)).usingExactEquality().containsExactly(0.5f, -0.5f, 0f).inOrder();
        assertThat(read.ints("step")).asList().containsExactly(1234);
        assertThat(read.floats("empty", 0, 4)).isEmpty();
        assertThat(read.tensor("wide").longs()).asList().containsExactly(Long.MIN_VALUE, 7L).inOrder();
        assertThat(read.metadata()).containsExactly("epoch", "3", "network", "Mlp");
    }

    @Test
    void writesTheSameBytesWhateverTheMapOrderAndPadsTheHeader() throws IOException {
        Map<String, TensorData> reversed = new LinkedHashMap<>();
        new java.util.TreeMap<>(sampleTensors()).descendingMap().forEach(reversed::put);
        Path a = dir.resolve("a.safetensors");
        Path b = dir.resolve("b.safetensors");
        Safetensors.write(a, new HashMap<>(sampleTensors()), Map.of("k", "v"));
        Safetensors.write(b, reversed, Map.of("k", "v"));
        byte[] bytes = Files.readAllBytes(a);
        assertThat(Files.readAllBytes(b)).isEqualTo(bytes);

        long headerLength = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).getLong();
        assertThat(headerLength % 8).isEqualTo(0);
        // The 8-byte tensor first, then the others by name, each range following the previous.
        assertThat(new String(bytes, 8, (int) headerLength, UTF_8)).isEqualTo("{\"__metadata__\":{\"k\":\"v\"},"
                + "\"wide\":{\"dtype\":\"I64\",\"shape\":[2],\"data_offsets\":[0,16]},"
                + "\"b\":{\"dtype\":\"F32\",\"shape\":[3],\"data_offsets\":[16,28]},"
                + "\"empty\":{\"dtype\":\"F32\",\"shape\":[0,4],\"data_offsets\":[28,28]},"
                + "\"step\":{\"dtype\":\"I32\",\"shape\":[],\"data_offsets\":[28,32]},"
                + "\"w\":{\"dtype\":\"F32\",\"shape\":[2,3],\"data_offsets\":[32,56]}}" + " ".repeat(7));
        assertThat(bytes.length).isEqualTo(8 + headerLength + 56);
    }

    @Test
    void noTensorsAndNoMetadataIsAnEmptyObject() throws IOException {
        Path file = dir.resolve("empty.safetensors");
        Safetensors.write(file, Map.of(), Map.of());
        assertThat(new String(Files.readAllBytes(file), 8, 8, UTF_8)).isEqualTo("{}      ");
        assertThat(Safetensors.read(file).tensors()).isEmpty();
    }

    @Test
    void readsTheLayoutOfThePythonLibrary() throws IOException {
        // What safetensors.torch.save_file writes for a BatchNorm-like state dict with
        // metadata {"format": "pt"}: compact JSON, metadata first, tensors ordered by alignment
        // then name, header padded with spaces to a multiple of 8.
        String header = "{\"__metadata__\":{\"format\":\"pt\"},"
                + "\"num_batches_tracked\":{\"dtype\":\"I64\",\"shape\":[],\"data_offsets\":[0,8]},"
                + "\"scale\":{\"dtype\":\"F64\",\"shape\":[1],\"data_offsets\":[8,16]},"
                + "\"bias\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[16,24]},"
                + "\"weight\":{\"dtype\":\"F32\",\"shape\":[2,2],\"data_offsets\":[24,40]}}";
        ByteBuffer data = ByteBuffer.allocate(40).order(ByteOrder.LITTLE_ENDIAN);
        data.putLong(42).putDouble(0.125).putFloat(0.1f).putFloat(-0.2f);
        data.putFloat(1).putFloat(2).putFloat(3).putFloat(4);
        Path file = craft(header + " ".repeat((8 - header.length() % 8) % 8), data.array());

        Checkpoint read = Safetensors.read(file);
        assertThat(read.metadata()).containsExactly("format", "pt");
        assertThat(read.tensor("num_batches_tracked").longs()).asList().containsExactly(42L);
        assertThat(read.tensor("num_batches_tracked").shape()).isEmpty();
        assertThat(read.tensor("scale").doubles()).usingExactEquality().containsExactly(0.125);
        assertThat(read.floats("bias", 2)).usingExactEquality().containsExactly(0.1f, -0.2f).inOrder();
        assertThat(read.floats("weight", 2, 2)).usingExactEquality().containsExactly(1f, 2f, 3f, 4f).inOrder();
    }

    @Test
    void headerOrderNeedNotFollowTheDataAndWhitespaceIsAllowed() throws IOException {
        Path file = craft("\n{ \"b\" : {\"data_offsets\": [4, 8], \"shape\": [1], \"dtype\": \"I32\"},\n"
                + "  \"a\": {\"dtype\": \"I32\", \"shape\": [1], \"data_offsets\": [0, 4]} }\t",
                ints(10, 20));
        Checkpoint read = Safetensors.read(file);
        assertThat(read.ints("a", 1)).asList().containsExactly(10);
        assertThat(read.ints("b", 1)).asList().containsExactly(20);
    }

    @Test
    void aSpecListsEveryDifferenceBeforeReadingData() throws IOException {
        Path file = dir.resolve("net.safetensors");
        Safetensors.write(file, Map.of("w", TensorData.f32(WEIGHT, 2, 3), "b", TensorData.f32(new float[3], 3),
                "step", TensorData.i32(new int[] {1}, 1)), Map.of());
        CheckpointSpec spec = CheckpointSpec.builder()
                .tensor("w", DType.F32, 3, 2)
                .tensor("b", DType.I32, 3)
                .tensor("c", DType.F32, 1)
                .build();
        assertThat(error(file, spec)).isEqualTo(file + ": does not hold the expected tensors:\n"
                + "  tensor `b`: expected I32 [3], found F32 [3]\n"
                + "  missing tensor `c` (F32 [1])\n"
                + "  tensor `w`: expected F32 [3, 2], found F32 [2, 3]\n"
                + "  unexpected tensor `step` (I32 [1])");

        CheckpointSpec weightsOnly = CheckpointSpec.builder().tensor("w", DType.F32, 2, 3).allowUnexpected().build();
        assertThat(Safetensors.read(file, weightsOnly).floats("w", 2, 3)).usingExactEquality()
                .containsExactly(WEIGHT).inOrder();
        CheckpointSpec exact = CheckpointSpec.builder().tensor("w", DType.F32, 2, 3).tensor("b", DType.F32, 3)
                .tensor("step", DType.I32, 1).build();
        assertThat(Safetensors.read(file, exact).tensors()).hasSize(3);
        assertThrows(IllegalArgumentException.class, () -> CheckpointSpec.builder().tensor("w", DType.F32).tensor("w", DType.F32));
    }

    @Test
    void typedGettersCheckNameTypeAndShape() throws IOException {
        Path file = dir.resolve("net.safetensors");
        Safetensors.write(file, sampleTensors(), Map.of());
        Checkpoint read = Safetensors.read(file);
        assertThat(assertThrows(CheckpointException.class, () -> read.floats("w", 6)))
                .hasMessageThat().isEqualTo(file + ": tensor `w`: expected F32 [6], found F32 [2, 3]");
        assertThat(assertThrows(CheckpointException.class, () -> read.ints("w", 2, 3)))
                .hasMessageThat().isEqualTo(file + ": tensor `w`: expected I32 [2, 3], found F32 [2, 3]");
        assertThat(assertThrows(CheckpointException.class, () -> read.floats("nope")))
                .hasMessageThat().isEqualTo(file + ": no tensor `nope` (the checkpoint holds 5 tensors)");
        assertThrows(IllegalStateException.class, () -> read.tensor("w").ints());
    }

    @Test
    void nonFiniteValuesAreRejectedWhenTheSpecAsks() throws IOException {
        Path file = dir.resolve("diverged.safetensors");
        float[] values = WEIGHT.clone();
        values[4] = Float.NaN;
        Safetensors.write(file, Map.of("w", TensorData.f32(values, 2, 3)), Map.of());
        assertThat(Safetensors.read(file).floats("w", 2, 3)[4]).isNaN();
        CheckpointSpec spec = CheckpointSpec.builder().tensor("w", DType.F32, 2, 3).requireFinite().build();
        assertThat(error(file, spec)).isEqualTo(file + ": tensor `w` holds NaN at index 4; the run that wrote it "
                + "probably diverged");
    }

    @Test
    void everyTruncationIsRejectedWithTheReason() throws IOException {
        Path good = dir.resolve("good.safetensors");
        Safetensors.write(good, Map.of("w", TensorData.f32(WEIGHT, 2, 3)), Map.of());
        byte[] bytes = Files.readAllBytes(good);
        long headerLength = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).getLong();
        Path file = dir.resolve("cut.safetensors");
        for (int cut = 0; cut < bytes.length; cut++) {
            Files.write(file, Arrays.copyOf(bytes, cut));
            String expected;
            if (cut < 8) {
                expected = "not a safetensors file: " + cut + " bytes, fewer than the 8 of the header length";
            } else if (cut < 8 + headerLength) {
                expected = "truncated: the header length is " + headerLength + " bytes, but only " + (cut - 8)
                        + " follow it";
            } else {
                expected = "truncated: the tensors take 24 bytes of data, but only " + (cut - 8 - headerLength)
                        + " follow the header";
            }
            assertThat(error(file)).isEqualTo(file + ": " + expected);
        }
    }

    @Test
    void aCorruptHeaderLengthIsRejectedBeforeAllocating() throws IOException {
        Path file = dir.resolve("x.safetensors");
        Safetensors.write(file, Map.of("w", TensorData.f32(WEIGHT, 2, 3)), Map.of());
        byte[] bytes = Files.readAllBytes(file);
        long headerLength = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).getLong();
        bytes[7] ^= (byte) 0x80; // the top bit of the little-endian length
        Files.write(file, bytes);
        assertThat(error(file)).isEqualTo(file + ": header length " + Long.toUnsignedString(headerLength | Long.MIN_VALUE)
                + " exceeds the limit of 100000000 bytes; the file is corrupt or not a safetensors file");

        ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).putLong(0, 100_000_001L);
        Files.write(file, bytes);
        assertThat(error(file)).startsWith(file + ": header length 100000001 exceeds the limit");
    }

    @ParameterizedTest(name = "[{index}] {2}")
    @MethodSource("corruptHeaders")
    void corruptHeadersAreRejectedWithTheReason(String header, int dataBytes, String expected) throws IOException {
        Path file = craft(header, new byte[dataBytes]);
        assertThat(error(file)).isEqualTo(file + ": " + expected);
    }

    static Stream<Arguments> corruptHeaders() {
        String w = "\"w\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}";
        return Stream.of(
                Arguments.of("", 0, "invalid JSON in the header at character 0: unexpected end of the header, "
                        + "expected a value"),
                Arguments.of("{" + w, 8, "invalid JSON in the header at character 53: expected '}', found end of "
                        + "the header"),
                Arguments.of("{" + w + ",}", 8, "invalid JSON in the header at character 54: expected a string key, "
                        + "found '}'"),
                Arguments.of("{" + w + "," + w + "}", 8, "invalid JSON in the header at character 54: duplicate key "
                        + "\"w\""),
                Arguments.of("{" + w + "} x", 8, "invalid JSON in the header at character 55: unexpected 'x' after "
                        + "the end of the JSON value"),
                Arguments.of("{\"w\":{\"dtype\":\"F32\",\"shape\":[2.0],\"data_offsets\":[0,8]}}", 8,
                        "invalid JSON in the header at character 29: only integers are allowed in a safetensors "
                                + "header"),
                Arguments.of("{\"w\":true}", 0, "invalid JSON in the header at character 5: unexpected 't', "
                        + "expected an object, array, string or integer"),
                Arguments.of("{\"w\":\"a\nb\"}", 0, "invalid JSON in the header at character 7: control character "
                        + "U+000A in a string"),
                Arguments.of("[1, 2]", 0, "the header is not a JSON object"),
                Arguments.of("{\"w\":[]}", 0, "tensor `w`: expected an object with dtype, shape and data_offsets"),
                Arguments.of("{\"w\":{\"dtype\":\"U8\",\"shape\":[2],\"data_offsets\":[0,2]}}", 2,
                        "tensor `w`: unsupported dtype U8 (supported: [F32, I32, I64, F64, F16, BF16])"),
                Arguments.of("{\"w\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8],\"offsets\":[0,8]}}", 8,
                        "tensor `w`: unknown field `offsets`"),
                Arguments.of("{\"w\":{\"dtype\":\"F32\",\"data_offsets\":[0,8]}}", 8,
                        "tensor `w`: `shape` is missing or not an array"),
                Arguments.of("{\"w\":{\"dtype\":\"F32\",\"shape\":[-2],\"data_offsets\":[0,8]}}", 8,
                        "tensor `w`: `shape` must hold non-negative integers, found -2"),
                Arguments.of("{\"w\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0]}}", 8,
                        "tensor `w`: `data_offsets` must hold 2 integers, found 1"),
                Arguments.of("{\"w\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[8,0]}}", 8,
                        "tensor `w`: `data_offsets` [8, 0] end before they begin"),
                Arguments.of("{\"w\":{\"dtype\":\"F32\",\"shape\":[3],\"data_offsets\":[0,8]}}", 8,
                        "tensor `w`: `data_offsets` [0, 8] span 8 bytes, but F32 [3] takes 12"),
                Arguments.of("{\"__metadata__\":{\"epoch\":3}}", 0, "`__metadata__` entry `epoch` is not a string"),
                Arguments.of("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},"
                                + "\"b\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[4,12]}}", 12,
                        "tensors `a` (bytes 0 to 8) and `b` (bytes 4 to 12) overlap"),
                Arguments.of("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]}}", 8,
                        "bytes 0 to 4 of the data belong to no tensor"),
                Arguments.of("{" + w + "}", 12, "bytes 8 to 12 of the data belong to no tensor"));
    }

    @Test
    void invalidUtf8InTheHeaderIsRejected() throws IOException {
        byte[] header = "{\"\u00e9\":1}".getBytes(UTF_8);
        header[2] = (byte) 0xff;
        ByteBuffer bytes = ByteBuffer.allocate(8 + header.length).order(ByteOrder.LITTLE_ENDIAN);
        Path file = dir.resolve("x.safetensors");
        Files.write(file, bytes.putLong(header.length).put(header).array());
        assertThat(error(file)).isEqualTo(file + ": the header is not valid UTF-8");
    }

    @Test
    void onlyRegularFilesAreRead() throws IOException {
        Path directory = Files.createDirectory(dir.resolve("dir.safetensors"));
        FileSystemException e = assertThrows(FileSystemException.class, () -> Safetensors.read(directory));
        assertThat(e).hasMessageThat().isEqualTo(directory + ": not a checkpoint: a directory, not a regular file");

        Path device = Path.of("/dev/null");
        assumeTrue(Files.exists(device), "no /dev/null on this platform");
        assertThat(assertThrows(FileSystemException.class, () -> Safetensors.read(device))).hasMessageThat()
                .isEqualTo(device + ": not a checkpoint: a FIFO, device or socket, not a regular file");
    }

    @Test
    void aFifoIsRejectedWithoutWaitingForAWriter() throws Exception {
        Path fifo = dir.resolve("fifo.safetensors");
        boolean made;
        try {
            made = new ProcessBuilder("mkfifo", fifo.toString()).inheritIO().start().waitFor() == 0;
        } catch (IOException e) {
            made = false;
        }
        assumeTrue(made, "mkfifo is not available, so there is no FIFO to test with");
        // Were the FIFO opened, this writer would let the open return (to find 0 bytes), so that a
        // regression fails below instead of hanging the build.
        Thread writer = new Thread(() -> {
            try {
                FileChannel.open(fifo, StandardOpenOption.WRITE).close();
            } catch (IOException ignored) {
                // Nothing to report: the reader's outcome is what the test checks.
            }
        });
        writer.setDaemon(true);
        writer.start();
        assertThat(assertThrows(FileSystemException.class, () -> Safetensors.read(fifo))).hasMessageThat()
                .isEqualTo(fifo + ": not a checkpoint: a FIFO, device or socket, not a regular file");
        // The writer still waits for a reader: be it, so that the thread ends.
        FileChannel.open(fifo, StandardOpenOption.READ).close();
        writer.join();
    }

    @Test
    void headersLongerThanTheValidationBufferAreCheckedToTheEnd() throws IOException {
        // Two-byte characters straddle the 4096-character chunks the UTF-8 check decodes through.
        String note = "\u00e9".repeat(5000);
        Path file = dir.resolve("long.safetensors");
        Safetensors.write(file, Map.of("w", TensorData.f32(WEIGHT, 6)), Map.of("note", note));
        assertThat(Safetensors.read(file).metadata()).containsExactly("note", note);

        byte[] bytes = Files.readAllBytes(file);
        long headerLength = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).getLong();
        int lastAccent = 0;
        for (int i = 8; i < 8 + headerLength; i++) {
            lastAccent = bytes[i] == (byte) 0xc3 ? i : lastAccent;
        }
        assertThat(lastAccent).isGreaterThan(8 + 2 * 4096);
        bytes[lastAccent + 1] = (byte) 0xff;
        Files.write(file, bytes);
        assertThat(error(file)).isEqualTo(file + ": the header is not valid UTF-8");
    }

    @Test
    void namesAreEscapedAndNeverTheMetadataKey() throws IOException {
        Path file = dir.resolve("x.safetensors");
        String odd = "layer \"1\"\\w\u00e9\n";
        Safetensors.write(file, Map.of(odd, TensorData.f32(new float[] {1}, 1)), Map.of("note", "tab\there"));
        Checkpoint read = Safetensors.read(file);
        assertThat(read.floats(odd, 1)).usingExactEquality().containsExactly(1f);
        assertThat(read.metadata()).containsExactly("note", "tab\there");
        assertThrows(IllegalArgumentException.class,
                () -> Safetensors.write(file, Map.of("__metadata__", TensorData.f32(new float[1], 1)), Map.of()));
    }

    @Test
    void aWriteThatCannotBeRenamedLeavesNoTemporaryFile() throws IOException {
        Path file = dir.resolve("net.safetensors");
        Safetensors.write(file, sampleTensors(), Map.of("epoch", "1"));
        byte[] before = Files.readAllBytes(file);
        // A directory where the checkpoint should go: everything is written, then the rename fails.
        // (AtomicFileTest covers a failure in the middle of the content.)
        Path blocked = Files.createDirectory(dir.resolve("blocked.safetensors"));
        Files.writeString(blocked.resolve("keep"), "x");
        assertThrows(IOException.class, () -> Safetensors.write(blocked, sampleTensors(), Map.of()));
        assertThat(Files.isDirectory(blocked)).isTrue();

        Safetensors.write(file, Map.of("w", TensorData.f32(WEIGHT, 6)), Map.of("epoch", "2"));
        assertThat(Files.readAllBytes(file)).isNotEqualTo(before);
        assertThat(Safetensors.read(file).metadata()).containsExactly("epoch", "2");
        try (Stream<Path> files = Files.list(dir)) {
            assertThat(files.map(p -> p.getFileName().toString()).toList())
                    .containsExactly("net.safetensors", "blocked.safetensors");
        }
    }

    private static Map<String, TensorData> sampleTensors() {
        ByteBuffer wide = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN).putLong(Long.MIN_VALUE).putLong(7).flip();
        return Map.of(
                "w", TensorData.f32(WEIGHT, 2, 3),
                "b", TensorData.f32(new float[] {0.5f, -0.5f, 0f}, 3),
                "step", TensorData.i32(new int[] {1234}),
                "empty", TensorData.f32(new float[0], 0, 4),
                "wide", TensorData.of(DType.I64, new int[] {2}, wide));
    }

    private Path craft(String header, byte[] data) throws IOException {
        byte[] h = header.getBytes(UTF_8);
        ByteBuffer bytes = ByteBuffer.allocate(8 + h.length + data.length).order(ByteOrder.LITTLE_ENDIAN);
        bytes.putLong(h.length).put(h).put(data);
        Path file = dir.resolve("crafted.safetensors");
        Files.write(file, bytes.array());
        return file;
    }

    private static byte[] ints(int... values) {
        ByteBuffer bytes = ByteBuffer.allocate(4 * values.length).order(ByteOrder.LITTLE_ENDIAN);
        for (int v : values) {
            bytes.putInt(v);
        }
        return bytes.array();
    }

    private static String error(Path file) {
        return assertThrows(CheckpointException.class, () -> Safetensors.read(file)).getMessage();
    }

    private static String error(Path file, CheckpointSpec spec) {
        return assertThrows(CheckpointException.class, () -> Safetensors.read(file, spec)).getMessage();
    }
}
