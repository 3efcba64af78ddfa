package org.dnnc.examples.fashion;

import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Locale;
import javax.imageio.ImageIO;
import org.dnnc.runtime.data.FashionMnist;

/**
 * Classifies image files with a model saved by {@link Train}: each image is scaled to 28x28 gray
 * levels (Fashion-MNIST's light-on-dark convention: invert photos of dark items on white), and the
 * three likeliest classes are printed.
 *
 * <pre>java -cp ... org.dnnc.examples.fashion.Classify MODEL_DIR IMAGE...</pre>
 */
public final class Classify {
    private Classify() {}

    public static void main(String[] args) throws IOException {
        if (args.length < 2) {
            System.err.println("usage: Classify MODEL_DIR IMAGE...");
            System.exit(2);
        }
        Path model = Path.of(args[0]);
        float[] standardization = Model.loadStandardization(model);
        try (FashionGru net = FashionGru.builder().threads(1).build()) {
            net.load(model.resolve("fashion-gru.safetensors"));
            for (int i = 1; i < args.length; i++) {
                float[] probs = net.predict(pixels(Path.of(args[i]), standardization));
                System.out.println(args[i] + ": " + top3(probs));
            }
        }
    }

    /** The image as 784 standardized values in [0, 1] before standardization, white = 1. */
    static float[] pixels(Path file, float[] standardization) throws IOException {
        BufferedImage image = ImageIO.read(file.toFile());
        if (image == null) {
            throw new IOException(file + ": not an image format Java can read (PNG, JPEG, GIF, BMP)");
        }
        BufferedImage gray = new BufferedImage(28, 28, BufferedImage.TYPE_BYTE_GRAY);
        Graphics2D g = gray.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BILINEAR);
        g.drawImage(image, 0, 0, 28, 28, null);
        g.dispose();
        float[] x = new float[784];
        for (int r = 0; r < 28; r++) {
            for (int c = 0; c < 28; c++) {
                float v = (gray.getRaster().getSample(c, r, 0)) / 255f;
                x[r * 28 + c] = (v - standardization[0]) / standardization[1];
            }
        }
        return x;
    }

    private static String top3(float[] probs) {
        StringBuilder out = new StringBuilder();
        boolean[] used = new boolean[probs.length];
        for (int k = 0; k < 3; k++) {
            int best = -1;
            for (int i = 0; i < probs.length; i++) {
                if (!used[i] && (best < 0 || probs[i] > probs[best])) {
                    best = i;
                }
            }
            used[best] = true;
            out.append(String.format(Locale.ROOT, "%s%s %.1f%%", k == 0 ? "" : ", ", FashionMnist.CLASSES.get(best),
                    100 * probs[best]));
        }
        return out.toString();
    }
}
