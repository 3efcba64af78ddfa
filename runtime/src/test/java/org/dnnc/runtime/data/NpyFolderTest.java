package org.dnnc.runtime.data;

import static com.google.common.truth.Truth.assertThat;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.dnnc.runtime.io.Npy;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A folder of .npy files as a data set of named columns. */
class NpyFolderTest {
    @TempDir
    Path dir;

    @Test
    void eachFileIsAColumnNamedByItsStem() throws IOException {
        Npy.write(dir.resolve("tokens.npy"), new int[] {1, 2, 3, 4, 5, 6}, 2, 3);
        Npy.write(dir.resolve("lengths.npy"), new int[] {3, 1}, 2);
        Npy.write(dir.resolve("x.npy"), new float[] {0.5f, -1f}, 2, 1);
        Files.writeString(dir.resolve("README"), "not a column");
        Dataset data = Dataset.fromNpyFolder(dir);
        assertThat(data.size()).isEqualTo(2);
        assertThat(data.columns().stream().map(Column::toString).toList())
                .containsExactly("lengths: int", "tokens: int[3]", "x: float[1]").inOrder();
        assertThat(data.column("tokens").value(1, 0)).isEqualTo(4);
        assertThat(data.column("lengths").value(0, 0)).isEqualTo(3);
        assertThat(data.featureColumn().orElseThrow().name()).isEqualTo("x");
    }

    @Test
    void withTwoFloatArraysNoneIsTheFeatures() throws IOException {
        Npy.write(dir.resolve("a.npy"), new float[] {1, 2}, 2);
        Npy.write(dir.resolve("b.npy"), new float[] {1, 2}, 2);
        assertThat(Dataset.fromNpyFolder(dir).featureColumn()).isEmpty();
    }

    @Test
    void countsThatDisagreeNameBothFiles() throws IOException {
        Npy.write(dir.resolve("a.npy"), new int[] {1, 2, 3}, 3);
        Npy.write(dir.resolve("b.npy"), new int[] {1, 2}, 2);
        IOException e = assertThrows(IOException.class, () -> Dataset.fromNpyFolder(dir));
        assertThat(e).hasMessageThat().isEqualTo(dir.resolve("b.npy") + ": holds 2 examples, but "
                + dir.resolve("a.npy") + " holds 3");
    }

    @Test
    void aScalarArrayOrAnEmptyFolderIsRefused() throws IOException {
        assertThat(assertThrows(IOException.class, () -> Dataset.fromNpyFolder(dir))).hasMessageThat()
                .isEqualTo(dir + ": holds no .npy file");
        Npy.write(dir.resolve("s.npy"), new float[] {1});
        assertThat(assertThrows(IOException.class, () -> Dataset.fromNpyFolder(dir))).hasMessageThat()
                .contains("needs the example count as its first dimension");
    }

    @Test
    void int64ValuesMustFitAnInt() throws IOException {
        Path file = dir.resolve("big.npy");
        String header = "{'descr': '<i8', 'fortran_order': False, 'shape': (1,), }";
        header = header + " ".repeat(63 - header.length()) + "\n";
        ByteBuffer b = ByteBuffer.allocate(10 + header.length() + 8).order(ByteOrder.LITTLE_ENDIAN);
        b.put(new byte[] {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0}).putShort((short) header.length());
        b.put(header.getBytes(StandardCharsets.ISO_8859_1)).putLong(1L << 40);
        Files.write(file, b.array());
        assertThat(assertThrows(IOException.class, () -> Dataset.fromNpyFolder(dir))).hasMessageThat()
                .isEqualTo(file + ": value 1099511627776 at index 0 does not fit an int");
    }
}
