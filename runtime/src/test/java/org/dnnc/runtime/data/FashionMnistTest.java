package org.dnnc.runtime.data;

import static com.google.common.truth.Truth.assertThat;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Optional;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FashionMnistTest {
    /** The subset in the repository; tests run in runtime/, one level below the root. */
    private static final Path SUBSET = Path.of(System.getProperty("dnnc.repoRoot", ".."))
            .resolve("data/fashion-mnist-subset").toAbsolutePath().normalize();
    private static FashionMnist subset;

    @TempDir
    Path dir;

    @BeforeAll
    static void loadTheSubsetOnce() throws IOException {
        subset = FashionMnist.load(Optional.of(SUBSET));
    }

    @Test
    void theShippedSubsetHasTheDocumentedSizeAndBalancedClasses() {
        assertThat(subset.train().size()).isEqualTo(10_000);
        assertThat(subset.test().size()).isEqualTo(2_000);
        assertThat(subset.train().exampleShape()).asList().containsExactly(1, 28, 28).inOrder();
        assertThat(subset.test().exampleShape()).asList().containsExactly(1, 28, 28).inOrder();
        assertThat(subset.source()).isEqualTo("Fashion-MNIST from " + SUBSET + ": 10000 training and 2000 test examples");
        // The counts stated in data/fashion-mnist-subset/README.md.
        assertThat(subset.train().classCounts()).asList()
                .containsExactly(942, 1027, 1016, 1019, 974, 989, 1021, 1022, 990, 1000).inOrder();
        assertThat(subset.test().classCounts()).asList()
                .containsExactly(200, 203, 214, 190, 219, 195, 197, 200, 194, 188).inOrder();
        // The first training image is an ankle boot (label 9), as in the full set.
        assertThat(subset.train().label(0)).isEqualTo(9);
        assertThat(FashionMnist.CLASSES.get(9)).isEqualTo("Ankle boot");
        float min = Float.MAX_VALUE;
        float max = -Float.MAX_VALUE;
        for (float v : subset.test().features(0)) {
            min = Math.min(min, v);
            max = Math.max(max, v);
        }
        assertThat(min).isEqualTo(0f);
        assertThat(max).isAtMost(1f);
        assertThat(max).isGreaterThan(0.5f);
    }

    @Test
    void searchesTheSystemDirectoryThenThePropertyThenUpwardsFromTheWorkingDirectory() throws IOException {
        Path none = dir.resolve("absent");
        FashionMnist.Location system = FashionMnist.locate(Optional.empty(), SUBSET, Optional.of("/nowhere"), none);
        assertThat(system.dir()).isEqualTo(SUBSET);
        assertThat(system.description()).isEqualTo("Fashion-MNIST from " + SUBSET + " (Debian package dataset-fashion-mnist)");

        Path data = SUBSET.getParent();
        FashionMnist.Location property = FashionMnist.locate(Optional.empty(), none, Optional.of(data.toString()), none);
        assertThat(property.dir()).isEqualTo(SUBSET);
        assertThat(property.description()).isEqualTo("the Fashion-MNIST subset shipped with dnnc, from " + SUBSET);

        Path deep = data.getParent().resolve("runtime/src/test");
        FashionMnist.Location upwards = FashionMnist.locate(Optional.empty(), none, Optional.empty(), deep);
        assertThat(upwards.dir()).isEqualTo(SUBSET);

        IOException notFound = assertThrows(IOException.class,
                () -> FashionMnist.locate(Optional.empty(), none, Optional.empty(), dir));
        assertThat(notFound).hasMessageThat().startsWith("Fashion-MNIST not found: no directory was given, " + none
                + " is missing (apt-get install dataset-fashion-mnist), and neither " + dir);
    }

    @Test
    void aGivenDirectoryMustHoldAllFourFilesGzippedOrNot() throws IOException {
        Files.write(dir.resolve("train-images-idx3-ubyte"), IdxFiles.images(3, 28, 28));
        IdxFiles.write(dir.resolve("train-labels-idx1-ubyte.gz"), IdxFiles.labels(3, 10), true);
        IOException missing = assertThrows(IOException.class, () -> FashionMnist.load(Optional.of(dir)));
        assertThat(missing).hasMessageThat().isEqualTo(dir + " (the given directory) lacks the Fashion-MNIST files "
                + "t10k-images-idx3-ubyte, t10k-labels-idx1-ubyte (each gzipped with .gz or plain)");

        Files.write(dir.resolve("t10k-images-idx3-ubyte"), IdxFiles.images(2, 28, 28));
        Files.write(dir.resolve("t10k-labels-idx1-ubyte"), IdxFiles.bytes(new byte[] {3, 12}, 2));
        IOException wrongLabels = assertThrows(IOException.class, () -> FashionMnist.load(Optional.of(dir)));
        assertThat(wrongLabels).hasMessageThat().isEqualTo(dir + ": labels up to 12, but Fashion-MNIST has 10 classes");

        Files.write(dir.resolve("t10k-labels-idx1-ubyte"), IdxFiles.bytes(new byte[] {3, 9}, 2));
        FashionMnist loaded = FashionMnist.load(Optional.of(dir));
        assertThat(loaded.train().size()).isEqualTo(3);
        assertThat(Arrays.stream(new int[] {loaded.test().label(0), loaded.test().label(1)}).boxed().toList())
                .containsExactly(3, 9).inOrder();

        IOException badProperty = assertThrows(IOException.class,
                () -> FashionMnist.locate(Optional.empty(), dir.resolve("absent"), Optional.of(dir.toString()), dir));
        assertThat(badProperty).hasMessageThat().startsWith(dir.resolve("fashion-mnist-subset") + " (-Ddnnc.data=" + dir
                + ") lacks the Fashion-MNIST files train-images-idx3-ubyte, ");
    }
}
