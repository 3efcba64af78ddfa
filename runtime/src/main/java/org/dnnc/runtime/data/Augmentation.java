package org.dnnc.runtime.data;

import org.dnnc.runtime.cpu.Rng;

/**
 * A random transformation of one training example, applied in place to a batch before each
 * training step (a {@code .dnn} file's {@code augment} line; see {@code Trainer.Builder#augment}).
 * Evaluation and prediction never see it. Image transformations need examples of shape {@code [C,
 * H, W]} and move every channel alike; {@link Noise} works on any shape.
 *
 * <p>Implementations draw from the {@link Rng} they are given, so a seeded trainer augments the
 * same way every run, and allocate nothing: the {@code scratch} array holds one example.
 */
public sealed interface Augmentation {

    /**
     * Transforms the example at {@code x[offset ..]} of shape {@code shape} in place.
     *
     * @param scratch at least one example's worth of floats, free for the call to use
     */
    void apply(float[] x, int offset, int[] shape, Rng rng, float[] scratch);

    /** Whether it needs image examples {@code [C, H, W]}. */
    default boolean needsImages() {
        return true;
    }

    /** Mirrors the image left to right with probability 0.5. */
    record FlipHorizontal() implements Augmentation {
        @Override
        public void apply(float[] x, int offset, int[] shape, Rng rng, float[] scratch) {
            if (rng.nextDouble() >= 0.5) {
                return;
            }
            int width = shape[2];
            for (int row = offset, end = offset + shape[0] * shape[1] * width; row < end; row += width) {
                for (int i = 0, j = width - 1; i < j; i++, j--) {
                    float t = x[row + i];
                    x[row + i] = x[row + j];
                    x[row + j] = t;
                }
            }
        }
    }

    /** Mirrors the image top to bottom with probability 0.5. */
    record FlipVertical() implements Augmentation {
        @Override
        public void apply(float[] x, int offset, int[] shape, Rng rng, float[] scratch) {
            if (rng.nextDouble() >= 0.5) {
                return;
            }
            int height = shape[1];
            int width = shape[2];
            for (int c = 0; c < shape[0]; c++) {
                int plane = offset + c * height * width;
                for (int i = 0, j = height - 1; i < j; i++, j--) {
                    System.arraycopy(x, plane + i * width, scratch, 0, width);
                    System.arraycopy(x, plane + j * width, x, plane + i * width, width);
                    System.arraycopy(scratch, 0, x, plane + j * width, width);
                }
            }
        }
    }

    /**
     * Moves the image by a whole number of pixels, drawn uniformly from {@code [-pixels, pixels]}
     * in each direction, filling the uncovered border with zeros.
     */
    record Shift(int pixels) implements Augmentation {
        public Shift {
            if (pixels < 1) {
                throw new IllegalArgumentException("shift needs at least 1 pixel, got " + pixels);
            }
        }

        @Override
        public void apply(float[] x, int offset, int[] shape, Rng rng, float[] scratch) {
            int dy = (int) (rng.nextDouble() * (2 * pixels + 1)) - pixels;
            int dx = (int) (rng.nextDouble() * (2 * pixels + 1)) - pixels;
            if (dx == 0 && dy == 0) {
                return;
            }
            int height = shape[1];
            int width = shape[2];
            int size = shape[0] * height * width;
            System.arraycopy(x, offset, scratch, 0, size);
            java.util.Arrays.fill(x, offset, offset + size, 0f);
            int fromX = Math.max(0, -dx);
            int toX = Math.min(width, width - dx);
            for (int c = 0; c < shape[0]; c++) {
                for (int y = Math.max(0, -dy); y < Math.min(height, height - dy); y++) {
                    int src = (c * height + y) * width;
                    int dst = offset + (c * height + y + dy) * width;
                    System.arraycopy(scratch, src + fromX, x, dst + fromX + dx, toX - fromX);
                }
            }
        }
    }

    /**
     * Rotates the image about its centre by an angle drawn uniformly from {@code [-degrees,
     * degrees]}, with bilinear interpolation; pixels from outside the image are zero.
     */
    record Rotate(double degrees) implements Augmentation {
        public Rotate {
            if (!(degrees > 0 && degrees <= 180)) {
                throw new IllegalArgumentException("rotate needs an angle in (0, 180] degrees, got " + degrees);
            }
        }

        @Override
        public void apply(float[] x, int offset, int[] shape, Rng rng, float[] scratch) {
            double angle = Math.toRadians((rng.nextDouble() * 2 - 1) * degrees);
            double cos = Math.cos(angle);
            double sin = Math.sin(angle);
            int height = shape[1];
            int width = shape[2];
            int size = shape[0] * height * width;
            System.arraycopy(x, offset, scratch, 0, size);
            double cy = (height - 1) / 2.0;
            double cx = (width - 1) / 2.0;
            for (int y = 0; y < height; y++) {
                for (int xx = 0; xx < width; xx++) {
                    // The source of each output pixel: the inverse rotation of its position.
                    double sx = cos * (xx - cx) + sin * (y - cy) + cx;
                    double sy = -sin * (xx - cx) + cos * (y - cy) + cy;
                    int x0 = (int) Math.floor(sx);
                    int y0 = (int) Math.floor(sy);
                    double fx = sx - x0;
                    double fy = sy - y0;
                    for (int c = 0; c < shape[0]; c++) {
                        int plane = c * height * width;
                        double v = (1 - fy) * ((1 - fx) * pixel(scratch, plane, x0, y0, width, height)
                                + fx * pixel(scratch, plane, x0 + 1, y0, width, height))
                                + fy * ((1 - fx) * pixel(scratch, plane, x0, y0 + 1, width, height)
                                + fx * pixel(scratch, plane, x0 + 1, y0 + 1, width, height));
                        x[offset + plane + y * width + xx] = (float) v;
                    }
                }
            }
        }

        private static float pixel(float[] image, int plane, int x, int y, int width, int height) {
            return x < 0 || y < 0 || x >= width || y >= height ? 0f : image[plane + y * width + x];
        }
    }

    /** Adds Gaussian noise of standard deviation {@code stddev} to every value. */
    record Noise(double stddev) implements Augmentation {
        public Noise {
            if (!(stddev > 0)) {
                throw new IllegalArgumentException("noise needs a positive standard deviation, got " + stddev);
            }
        }

        @Override
        public void apply(float[] x, int offset, int[] shape, Rng rng, float[] scratch) {
            int size = 1;
            for (int d : shape) {
                size *= d;
            }
            for (int i = offset; i < offset + size; i++) {
                x[i] += (float) (stddev * rng.nextGaussian());
            }
        }

        @Override
        public boolean needsImages() {
            return false;
        }
    }
}
