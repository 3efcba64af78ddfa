package org.dnnc.runtime.data;

import static com.google.common.truth.Truth.assertThat;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Set;
import org.dnnc.runtime.io.Npy;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DatasetTest {
    @TempDir
    Path dir;

    /** Ten examples of shape [2]: example i has features (i, -i) and label i % 3. */
    static Dataset ten() {
        float[] x = new float[20];
        int[] y = new int[10];
        for (int i = 0; i < 10; i++) {
            x[2 * i] = i;
            x[2 * i + 1] = -i;
            y[i] = i % 3;
        }
        return Dataset.of(x, new int[] {2}, y);
    }

    @Test
    void fromArraysCopiesAndChecksLengths() {
        float[] x = {1, 2, 3, 4, 5, 6};
        Dataset data = Dataset.of(x, new int[] {1, 3}, new int[] {4, 0});
        x[0] = 99;
        assertThat(data.size()).isEqualTo(2);
        assertThat(data.exampleShape()).asList().containsExactly(1, 3).inOrder();
        assertThat(data.exampleSize()).isEqualTo(3);
        assertThat(data.features(0)).usingExactEquality().containsExactly(1f, 2f, 3f).inOrder();
        assertThat(data.label(1)).isEqualTo(0);
        assertThat(data.classCounts()).asList().containsExactly(1, 0, 0, 0, 1).inOrder();
        assertThat(data.hasLabels()).isTrue();

        assertThat(assertThrows(IllegalArgumentException.class, () -> Dataset.of(new float[5], new int[] {3}, new int[2])))
                .hasMessageThat().isEqualTo("2 examples of shape [3] need 6 feature values, got 5");
        assertThat(assertThrows(IllegalArgumentException.class, () -> Dataset.of(new float[2], new int[] {1}, new int[] {0, -1})))
                .hasMessageThat().isEqualTo("label -1 of example 1 is negative");
        assertThrows(IndexOutOfBoundsException.class, () -> data.label(2));
    }

    @Test
    void regressionDataSetsHaveTargetsInsteadOfLabels() {
        Dataset data = Dataset.regression(new float[] {1, 2, 3}, new int[] {1}, new float[] {10, 11, 20, 21, 30, 31},
                new int[] {2});
        assertThat(data.size()).isEqualTo(3);
        assertThat(data.hasLabels()).isFalse();
        assertThat(data.targetShape()).asList().containsExactly(2);
        assertThat(data.head(2).subset(new int[] {1}).targets(0)).usingExactEquality().containsExactly(20f, 21f).inOrder();
        assertThrows(IllegalStateException.class, () -> data.label(0));
        assertThrows(IllegalStateException.class, () -> ten().targets(0));
    }

    @Test
    void headSubsetAndReshape() {
        Dataset data = ten();
        assertThat(data.head(3).size()).isEqualTo(3);
        assertThat(data.head(30).size()).isEqualTo(10);
        Dataset picked = data.subset(new int[] {7, 2, 7});
        assertThat(picked.features(0)).usingExactEquality().containsExactly(7f, -7f).inOrder();
        assertThat(picked.label(1)).isEqualTo(2);
        assertThat(picked.label(2)).isEqualTo(1);
        Dataset flat = data.reshape(1, 2);
        assertThat(flat.exampleShape()).asList().containsExactly(1, 2).inOrder();
        assertThat(flat.features(9)).usingExactEquality().containsExactly(9f, -9f).inOrder();
        assertThrows(IllegalArgumentException.class, () -> data.reshape(3));
        assertThrows(IndexOutOfBoundsException.class, () -> data.subset(new int[] {10}));
    }

    @Test
    void splitIsDeterministicDisjointAndKeepsOrder() {
        Dataset data = ten();
        Dataset.Split split = data.split(0.3, 42);
        assertThat(split.validation().size()).isEqualTo(3);
        assertThat(split.train().size()).isEqualTo(7);
        Set<Float> seen = new HashSet<>();
        float previous = -1;
        for (int i = 0; i < 7; i++) {
            float id = split.train().features(i)[0];
            assertThat(id).isGreaterThan(previous);
            assertThat(split.train().label(i)).isEqualTo((int) id % 3);
            previous = id;
            seen.add(id);
        }
        for (int i = 0; i < 3; i++) {
            seen.add(split.validation().features(i)[0]);
        }
        assertThat(seen).hasSize(10);

        Dataset.Split again = data.split(0.3, 42);
        assertThat(ids(again.validation())).isEqualTo(ids(split.validation()));
        boolean differs = false;
        for (long seed = 0; seed < 5 && !differs; seed++) {
            differs = !Arrays.equals(ids(data.split(0.3, seed).validation()), ids(split.validation()));
        }
        assertThat(differs).isTrue();

        assertThrows(IllegalArgumentException.class, () -> data.split(1.0, 1));
        assertThat(assertThrows(IllegalArgumentException.class, () -> data.split(0.01, 1))).hasMessageThat()
                .isEqualTo("a validation fraction of 0.01 of 10 examples leaves the validation set empty");
    }

    @Test
    void fromIdxScalesPixelsAndChecksCounts() throws IOException {
        Path images = IdxFiles.write(dir.resolve("images"), IdxFiles.images(4, 2, 3), true);
        Path labels = IdxFiles.write(dir.resolve("labels"), IdxFiles.labels(4, 10), false);
        Dataset data = Dataset.fromIdx(images, labels);
        assertThat(data.size()).isEqualTo(4);
        assertThat(data.exampleShape()).asList().containsExactly(1, 2, 3).inOrder();
        assertThat(data.features(2)[1]).isWithin(1e-7f).of(3f / 255); // example 2, pixel 1: 2 + 1
        assertThat(data.label(3)).isEqualTo(3);

        Path fewer = IdxFiles.write(dir.resolve("fewer"), IdxFiles.labels(3, 10), false);
        assertThat(assertThrows(IOException.class, () -> Dataset.fromIdx(images, fewer))).hasMessageThat()
                .isEqualTo(fewer + ": holds 3 labels, but " + images + " holds 4 images");
        assertThat(assertThrows(IOException.class, () -> Dataset.fromIdx(labels, labels))).hasMessageThat()
                .isEqualTo(labels + ": expected images [n, rows, cols] (magic 0x00000803), found shape [4]");
    }

    @Test
    void fromNpyReadsFloatsOrPixelsWithLabelsOrTargets() throws IOException {
        Path x = dir.resolve("x.npy");
        Path y = dir.resolve("y.npy");
        Npy.write(x, new float[] {1, 2, 3, 4, 5, 6}, 3, 2);
        Npy.write(y, new int[] {2, 0, 1}, 3);
        Dataset data = Dataset.fromNpy(x, y);
        assertThat(data.exampleShape()).asList().containsExactly(2);
        assertThat(data.features(2)).usingExactEquality().containsExactly(5f, 6f).inOrder();
        assertThat(data.label(0)).isEqualTo(2);

        Path targets = dir.resolve("t.npy");
        Npy.write(targets, new float[] {0.5f, 1.5f, 2.5f}, 3, 1);
        Dataset regression = Dataset.fromNpy(x, targets);
        assertThat(regression.targets(1)).usingExactEquality().containsExactly(1.5f);

        Npy.write(y, new int[] {2, 0}, 2);
        assertThat(assertThrows(IOException.class, () -> Dataset.fromNpy(x, y))).hasMessageThat()
                .isEqualTo(y + ": shape [2] does not match the examples of " + x
                        + ", shape [3, 2] (both need the example count first)");
        Npy.write(y, new int[] {2, 0, 1}, 3);
        assertThat(assertThrows(IOException.class, () -> Dataset.fromNpy(y, y))).hasMessageThat()
                .isEqualTo(y + ": features must be float32, float64 or uint8, found <i4");
    }

    @Test
    void fromNpyScalesUnsignedBytePixels() throws IOException {
        // numpy.save of np.array([[0, 255], [51, 102]], dtype=np.uint8) and np.array([1, 0]),
        // built by hand since the runtime writes only float32 and int32.
        Path x = dir.resolve("x.npy");
        Path y = dir.resolve("y.npy");
        Files.write(x, npy("|u1", "(2, 2)", new byte[] {0, (byte) 255, 51, 102}));
        Files.write(y, npy("<i8", "(2,)", new byte[] {1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0}));
        Dataset data = Dataset.fromNpy(x, y);
        assertThat(data.features(0)).usingExactEquality().containsExactly(0f, 1f).inOrder();
        assertThat(data.features(1)[0]).isWithin(1e-7f).of(0.2f);
        assertThat(data.label(0)).isEqualTo(1);
    }

    private static byte[] npy(String dtype, String shape, byte[] data) {
        String header = "{'descr': '" + dtype + "', 'fortran_order': False, 'shape': " + shape + ", }";
        header += " ".repeat(63 - (10 + header.length()) % 64) + "\n";
        ByteBuffer out = ByteBuffer.allocate(10 + header.length() + data.length)
                .order(ByteOrder.LITTLE_ENDIAN);
        out.put(new byte[] {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0}).putShort((short) header.length());
        return out.put(header.getBytes(StandardCharsets.ISO_8859_1)).put(data).array();
    }

    private static float[] ids(Dataset data) {
        float[] ids = new float[data.size()];
        for (int i = 0; i < ids.length; i++) {
            ids[i] = data.features(i)[0];
        }
        return ids;
    }
}
