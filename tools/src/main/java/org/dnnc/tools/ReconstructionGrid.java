package org.dnnc.tools;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.channels.Channels;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;
import javax.imageio.ImageIO;
import org.dnnc.runtime.ElementType;
import org.dnnc.runtime.Inputs;
import org.dnnc.runtime.Outputs;
import org.dnnc.runtime.TensorSpec;
import org.dnnc.runtime.data.Dataset;
import org.dnnc.runtime.io.AtomicFile;
import org.dnnc.runtime.train.TargetKind;
import org.dnnc.runtime.train.TrainableNetwork;

/**
 * The picture that {@code dnnc run --reconstructions FILE} draws for a network trained to
 * reconstruct its input (an autoencoder): the first test images in the top row, the network's
 * reconstructions of them below, gray from 0 (black) to 1 (white), each pixel a {@value #SCALE} by
 * {@value #SCALE} square, with {@value #GAP} black pixels around every tile. The PNG is written
 * atomically.
 *
 * @param input the network's image input, {@code [1, H, W]} or {@code [H, W]}
 * @param output the output that reconstructs it: the one of the input's shape, else of its size
 */
record ReconstructionGrid(TensorSpec input, TensorSpec output, int height, int width) {
    /** Test images drawn, one per column. */
    static final int COLUMNS = 8;
    static final int SCALE = 2;
    static final int GAP = 2;

    /**
     * The grid for {@code net}.
     *
     * @throws RunData.DataException if it does not reconstruct an image input
     */
    static ReconstructionGrid of(TrainableNetwork net) throws RunData.DataException {
        if (net.targetKind() != TargetKind.INPUT) {
            throw new RunData.DataException("--reconstructions draws what a network trained to reconstruct its input"
                    + " (an autoencoder) makes of it, but network " + net.name() + " is trained on "
                    + (net.targetKind() == TargetKind.LABELS ? "class labels" : "targets"));
        }
        List<TensorSpec> floats = net.inputs().stream().filter(s -> s.type() == ElementType.FLOAT32).toList();
        int[] shape = floats.size() == 1 ? floats.get(0).shape() : new int[0];
        boolean image = shape.length == 2 || shape.length == 3 && shape[0] == 1;
        if (!image) {
            throw new RunData.DataException("--reconstructions draws gray images, one float input [1, height, width] or"
                    + " [height, width], but network " + net.name() + " reads " + describe(net.inputs()));
        }
        TensorSpec input = floats.get(0);
        TensorSpec output = net.outputs().stream().filter(o -> Arrays.equals(o.shape(), shape)).findFirst()
                .or(() -> net.outputs().stream().filter(o -> o.size() == input.size()).findFirst())
                .orElseThrow(() -> new RunData.DataException("--reconstructions needs an output of the input's shape "
                        + input + ", but network " + net.name() + " has " + describe(net.outputs())));
        return new ReconstructionGrid(input, output, shape[shape.length - 2], shape[shape.length - 1]);
    }

    /** The picture's width for {@code columns} images. */
    int pictureWidth(int columns) {
        return columns * width * SCALE + (columns + 1) * GAP;
    }

    /** The picture's height: two rows. */
    int pictureHeight() {
        return 2 * height * SCALE + 3 * GAP;
    }

    /** Draws the first {@link #COLUMNS} examples of {@code data} (fewer if it has fewer) and their reconstructions. */
    BufferedImage draw(TrainableNetwork net, Dataset data) {
        int columns = Math.min(COLUMNS, data.size());
        int size = input.size();
        float[] images = new float[columns * size];
        for (int i = 0; i < columns; i++) {
            System.arraycopy(data.features(i), 0, images, i * size, size);
        }
        Outputs outputs = net.predict(Inputs.of(input.name(), images));
        float[] reconstructions = outputs.get(output.name());
        BufferedImage picture = new BufferedImage(pictureWidth(columns), pictureHeight(), BufferedImage.TYPE_BYTE_GRAY);
        for (int i = 0; i < columns; i++) {
            tile(picture, images, i * size, i, 0);
            tile(picture, reconstructions, i * size, i, 1);
        }
        return picture;
    }

    /** Draws and writes the picture as a PNG. */
    void write(Path file, TrainableNetwork net, Dataset data) throws IOException {
        BufferedImage picture = draw(net, data);
        AtomicFile.write(file, out -> {
            if (!ImageIO.write(picture, "png", Channels.newOutputStream(out))) {
                throw new IOException("no PNG writer in this Java runtime");
            }
        });
    }

    private void tile(BufferedImage picture, float[] values, int from, int column, int row) {
        int left = GAP + column * (width * SCALE + GAP);
        int top = GAP + row * (height * SCALE + GAP);
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                float v = values[from + y * width + x];
                // NaN draws black, like 0.
                int gray = v > 0 ? Math.round(Math.min(v, 1f) * 255) : 0;
                for (int dy = 0; dy < SCALE; dy++) {
                    for (int dx = 0; dx < SCALE; dx++) {
                        // The raster takes the level as it is; setRGB would convert it between colour spaces.
                        picture.getRaster().setSample(left + x * SCALE + dx, top + y * SCALE + dy, 0, gray);
                    }
                }
            }
        }
    }

    private static String describe(List<TensorSpec> specs) {
        return specs.stream().map(TensorSpec::toString).collect(Collectors.joining(", "));
    }
}
