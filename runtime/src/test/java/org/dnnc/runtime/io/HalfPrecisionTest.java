package org.dnnc.runtime.io;

import static com.google.common.truth.Truth.assertThat;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * F16 and BF16 tensors widen to F32 exactly. The expected values are those the IEEE 754 binary16
 * and bfloat16 bit patterns stand for, written out by hand, not computed by the code under test.
 */
class HalfPrecisionTest {
    @TempDir
    Path dir;

    @Test
    void f16BitPatternsBecomeTheFloatsTheyEncode() {
        short[] bits = {0x3C00, (short) 0xC000, 0x7BFF, 0x0001, 0x03FF, 0x0400, (short) 0x8000, 0x3555, 0x7C00,
                (short) 0xFC00};
        float[] expected = {1f, -2f, 65504f, 0x1.0p-24f, 1023 * 0x1.0p-24f, 0x1.0p-14f, -0f, 0.333251953125f,
                Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY};
        float[] actual = tensor(DType.F16, bits).toFloats();
        for (int i = 0; i < bits.length; i++) {
            // Bit equality tells -0 from +0.
            assertThat(Float.floatToRawIntBits(actual[i])).isEqualTo(Float.floatToRawIntBits(expected[i]));
        }
        assertThat(tensor(DType.F16, new short[] {0x7E00}).toFloats()[0]).isNaN();
    }

    @Test
    void bf16BitPatternsAreTheUpperHalfOfAFloat() {
        short[] bits = {0x3F80, (short) 0xC0A0, 0x4049, 0x0001, 0x7F80};
        float[] expected = {1f, -5f, 3.140625f, Float.intBitsToFloat(0x0001_0000), Float.POSITIVE_INFINITY};
        assertThat(tensor(DType.BF16, bits).toFloats()).usingExactEquality().containsExactly(expected).inOrder();
    }

    @Test
    void halfTensorsSurviveAFileAndReportTheirNonFiniteValues() throws Exception {
        Path file = dir.resolve("half.safetensors");
        Safetensors.write(file, Map.of("h", tensor(DType.F16, new short[] {0x3C00, 0x7C00}),
                "b", tensor(DType.BF16, new short[] {0x3F80})), Map.of());
        Checkpoint read = Safetensors.read(file);
        assertThat(read.tensor("h").info()).isEqualTo(new TensorInfo(DType.F16, new int[] {2}));
        assertThat(read.tensor("h").firstNonFinite()).isEqualTo(1);
        assertThat(read.tensor("b").toFloats()).usingExactEquality().containsExactly(1f);
    }

    @Test
    void integersDoNotConvert() {
        TensorData ints = TensorData.i32(new int[] {1, 2}, 2);
        assertThat(assertThrows(IllegalStateException.class, ints::toFloats)).hasMessageThat()
                .isEqualTo("tensor I32 [2] holds integers, not floating-point values");
    }

    /** A one-dimensional tensor of 16-bit values, little-endian as safetensors stores them. */
    static TensorData tensor(DType dtype, short[] bits) {
        ByteBuffer bytes = ByteBuffer.allocate(2 * bits.length).order(ByteOrder.LITTLE_ENDIAN);
        for (short b : bits) {
            bytes.putShort(b);
        }
        return TensorData.of(dtype, new int[] {bits.length}, bytes.flip());
    }
}
