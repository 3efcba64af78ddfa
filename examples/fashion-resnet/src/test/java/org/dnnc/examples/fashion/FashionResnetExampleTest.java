package org.dnnc.examples.fashion;

import static com.google.common.truth.Truth.assertThat;
import static com.google.common.truth.Truth.assertWithMessage;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Optional;
import javax.imageio.ImageIO;
import org.dnnc.runtime.data.Dataset;
import org.dnnc.runtime.data.FashionMnist;
import org.dnnc.runtime.data.Standardization;
import org.dnnc.runtime.train.Trainer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The example as its users run it: the class the plugin generated trains, saves, loads, and classifies an image file. */
class FashionResnetExampleTest {
    private static final int TRAIN_IMAGES = 2_000;
    private static final int TEST_IMAGES = 500;

    @TempDir
    Path dir;

    @Test
    void trainsSavesLoadsAndClassifiesAnImageFile() throws Exception {
        FashionMnist mnist = FashionMnist.load(Optional.of(repository().resolve("data/fashion-mnist-subset")));
        Standardization standardization = Standardization.global(mnist.train());
        Dataset train = standardization.apply(mnist.train()).head(TRAIN_IMAGES);
        Dataset test = standardization.apply(mnist.test()).head(TEST_IMAGES);
        float[] x = new float[TEST_IMAGES * 784];
        for (int i = 0; i < TEST_IMAGES; i++) {
            System.arraycopy(test.features(i), 0, x, i * 784, 784);
        }
        float[] trained = new float[TEST_IMAGES * 10];
        // Two epochs on a slice keep the test quick; the train section's ten on all the data are for Train.
        Trainer trainer = FashionResnet.trainer().epochs(2).build();
        // Chance is 0.1. After 32 steps at the train section's learning rate of 0.1 the accuracy
        // still depended on the machine's BLAS kernels (0.348 on one, 0.238 on another); after 64 it
        // depends on the seed, and on the rounding of the convolution algorithms: on the first 500
        // test images over seeds 0-7, 0.298 to 0.714 (0.316 with the default 42) before the 32 to 32
        // convolutions' forward pass ran Winograd rows, 0.35 to 0.62 (0.216 with 42) since. So the
        // median over three seeds is judged, and the first seed's network goes on to be saved.
        double[] accuracies = new double[3];
        for (int seed = 2; seed >= 1; seed--) {
            try (FashionResnet other = FashionResnet.builder().seed(seed).threads(1).build()) {
                trainer.fit(other, train);
                accuracies[seed] = other.evaluate(test).accuracy();
            }
        }
        try (FashionResnet net = FashionResnet.builder().seed(0).threads(1).build()) {
            Dataset probe = train.head(500);
            double before = trainer.evaluate(net, probe).loss();
            trainer.fit(net, train);
            assertThat(trainer.evaluate(net, probe).loss()).isLessThan(before);
            accuracies[0] = net.evaluate(test).accuracy();
            Arrays.sort(accuracies);
            assertWithMessage("median accuracy over seeds 0-2").that(accuracies[1]).isAtLeast(0.25);
            net.predict(x, TEST_IMAGES, trained);
            net.save(dir.resolve("fashion-resnet.safetensors"));
            Model.saveStandardization(dir, standardization);
        }
        // A network initialized differently predicts exactly as the trained one once it loads the
        // checkpoint (the same BLAS thread count, so that the sums run in the same order).
        float[] loaded = new float[TEST_IMAGES * 10];
        try (FashionResnet net = FashionResnet.builder().seed(7).threads(1).build()) {
            net.load(dir.resolve("fashion-resnet.safetensors"));
            net.predict(x, TEST_IMAGES, loaded);
        }
        for (int i = 0; i < loaded.length; i++) {
            assertWithMessage("probability %s of the loaded network", i).that(loaded[i]).isEqualTo(trained[i]);
        }

        // A trouser-like picture: a bright vertical band on black.
        BufferedImage image = new BufferedImage(56, 56, BufferedImage.TYPE_BYTE_GRAY);
        for (int y = 4; y < 52; y++) {
            for (int c = 18; c < 38; c++) {
                image.getRaster().setSample(c, y, 0, c >= 26 && c < 30 && y > 20 ? 0 : 200);
            }
        }
        Path png = dir.resolve("trousers.png");
        ImageIO.write(image, "png", png.toFile());
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        PrintStream saved = System.out;
        System.setOut(new PrintStream(captured, true, "UTF-8"));
        try {
            Classify.main(new String[] {dir.toString(), png.toString()});
        } finally {
            System.setOut(saved);
        }
        String line = captured.toString("UTF-8").strip();
        assertThat(line).startsWith(png + ": ");
        assertThat(line).containsMatch("^.*: [A-Za-z/-]+ [0-9.]+%, [A-Za-z/-]+ [0-9.]+%, [A-Za-z/-]+ [0-9.]+%$");
    }

    private static Path repository() {
        for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
            if (Files.isDirectory(p.resolve("data/fashion-mnist-subset"))) {
                return p;
            }
        }
        throw new IllegalStateException("cannot find the repository's data/ folder");
    }
}
