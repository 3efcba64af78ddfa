package org.dnnc.examples.fashion;

import static com.google.common.truth.Truth.assertThat;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import javax.imageio.ImageIO;
import org.dnnc.runtime.data.Dataset;
import org.dnnc.runtime.data.FashionMnist;
import org.dnnc.runtime.data.Standardization;
import org.dnnc.runtime.train.Trainer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The example as its users run it: the class the plugin generated trains, saves, and classifies an image file. */
class FashionGruExampleTest {
    @TempDir
    Path dir;

    @Test
    void trainsSavesAndClassifiesAnImageFile() throws Exception {
        FashionMnist mnist = FashionMnist.load(Optional.of(repository().resolve("data/fashion-mnist-subset")));
        Standardization standardization = Standardization.global(mnist.train());
        Dataset train = standardization.apply(mnist.train()).head(2_000).reshape(28, 28);
        try (FashionGru net = FashionGru.builder().threads(1).build()) {
            // One short epoch keeps the test quick; the train section's ten are for Train.
            Trainer trainer = FashionGru.trainer().epochs(1).build();
            double before = trainer.evaluate(net, train).loss();
            trainer.fit(net, train);
            assertThat(trainer.evaluate(net, train).loss()).isLessThan(before);
            net.save(dir.resolve("fashion-gru.safetensors"));
            Model.saveStandardization(dir, standardization);
        }
        // A trouser-like picture: a bright vertical band on black.
        BufferedImage image = new BufferedImage(56, 56, BufferedImage.TYPE_BYTE_GRAY);
        for (int y = 4; y < 52; y++) {
            for (int x = 18; x < 38; x++) {
                image.getRaster().setSample(x, y, 0, x >= 26 && x < 30 && y > 20 ? 0 : 200);
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
