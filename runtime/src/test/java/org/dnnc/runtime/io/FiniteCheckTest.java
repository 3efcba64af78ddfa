package org.dnnc.runtime.io;

import static com.google.common.truth.Truth.assertThat;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FiniteCheckTest {
    @TempDir
    Path dir;

    @Test
    void firstNonFiniteFindsTheFirstNanOrInfinity() {
        assertThat(TensorData.f32(new float[] {1, -2, Float.MAX_VALUE, Float.MIN_VALUE}, 4).firstNonFinite()).isEqualTo(-1);
        assertThat(TensorData.f32(new float[] {1, 2, Float.NaN, Float.POSITIVE_INFINITY}, 4).firstNonFinite()).isEqualTo(2);
        assertThat(TensorData.f32(new float[] {Float.NEGATIVE_INFINITY}, 1).firstNonFinite()).isEqualTo(0);
        assertThat(TensorData.f32(new float[0], 0).firstNonFinite()).isEqualTo(-1);
        ByteBuffer doubles = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN).putDouble(1e300).putDouble(Double.NaN).flip();
        assertThat(TensorData.of(DType.F64, new int[] {2}, doubles).firstNonFinite()).isEqualTo(1);
        // The bits of a float NaN, read as an integer, are just a number.
        assertThat(TensorData.i32(new int[] {Float.floatToRawIntBits(Float.NaN)}, 1).firstNonFinite()).isEqualTo(-1);
    }

    @Test
    void requireFiniteNamesTheFirstTensorInMapOrderAndLeavesTheFileAlone() throws IOException {
        Path file = dir.resolve("net.safetensors");
        Files.writeString(file, "the last good checkpoint");
        Map<String, TensorData> tensors = new LinkedHashMap<>();
        tensors.put("z.weight", TensorData.f32(new float[] {1, 2, 3}, 3));
        tensors.put("b.weight", TensorData.f32(new float[] {1, Float.POSITIVE_INFINITY, 3}, 3));
        tensors.put("a.weight", TensorData.f32(new float[] {Float.NaN}, 1));
        CheckpointException e = assertThrows(CheckpointException.class, () -> Safetensors.requireFinite(file, tensors));
        assertThat(e).hasMessageThat().isEqualTo(file + ": not saved: tensor `b.weight` holds Infinity at index 1"
                + " (did training diverge?); the file was not touched");
        assertThat(Files.readString(file)).isEqualTo("the last good checkpoint");

        tensors.remove("b.weight");
        tensors.remove("a.weight");
        Safetensors.requireFinite(file, tensors);
    }
}
