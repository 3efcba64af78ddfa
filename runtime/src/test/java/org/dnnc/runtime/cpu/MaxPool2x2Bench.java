package org.dnnc.runtime.cpu;

import java.util.Arrays;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * Micro benchmark (a main class, not a test): {@link Pool2d#maxPlane} and {@link
 * Pool2d#maxPlaneBackward} for {@code maxpool(2)}, as {@link Pool2d} and {@link BatchNormPool} call
 * them plane by plane, against the per-window loops they had before the pair pass (copied below),
 * alternating in each round, on one thread, over the planes of a batch of 64 at the pooling shapes
 * of the VGG, CNN and ResNet benchmark networks. Forward inputs are Gaussian (the batch-norm pool
 * pools {@code x} itself); backward inputs are ReLU outputs (about half zeros, so ties abound).
 *
 * <p>Prints per shape the minimum and the median time per batch over the rounds; on a loaded
 * machine the minimum is the steadier figure. Arguments: {@code [rounds (21)]}. Run it with {@code
 * -XX:CompileCommand=dontinline,org.dnnc.runtime.cpu.*::*Plane*}: the kernels are not inlined into
 * their real callers (the generic pooling path makes them too large), but the old copies here would
 * be, which flatters them on small planes.
 */
public final class MaxPool2x2Bench {

    private static final int BATCH = 64;
    /** Channels, height and width of the benchmark networks' 2x2 pools. */
    private static final int[][] SHAPES = {{16, 28, 28}, {32, 28, 28}, {32, 14, 14}, {64, 14, 14}, {64, 7, 7},
        {128, 8, 8}, {256, 4, 4}};

    private MaxPool2x2Bench() {}

    public static void main(String[] args) {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 21;
        // A first pass over every shape, not printed, so that C2 has compiled all the paths.
        for (int[] shape : SHAPES) {
            run(shape[0], shape[1], shape[2], 3, false);
        }
        for (int[] shape : SHAPES) {
            run(shape[0], shape[1], shape[2], rounds, true);
        }
    }

    private static void run(int channels, int height, int width, int rounds, boolean print) {
        PoolGeometry g = new PoolGeometry(channels, height, width, 2, 2, 2, 2, 0, 0);
        int spatial = height * width;
        int pooled = g.outHeight() * g.outWidth();
        int planes = BATCH * channels;
        SplittableRandom random = new SplittableRandom(5);
        float[][] x = new float[planes][spatial];
        float[][] y = new float[planes][spatial];
        float[][] dp = new float[planes][pooled];
        for (int p = 0; p < planes; p++) {
            for (int i = 0; i < spatial; i++) {
                x[p][i] = (float) random.nextGaussian();
                y[p][i] = Math.max((float) random.nextGaussian(), 0f);
            }
            for (int i = 0; i < pooled; i++) {
                dp[p][i] = (float) random.nextGaussian();
            }
        }
        boolean tiles = Pool2d.tiles(g);
        float[] out = new float[pooled];
        float[] oldOut = new float[pooled];
        float[] grad = new float[spatial];
        float[] oldGrad = new float[spatial];
        float[] pairs = new float[spatial];
        // Each round times enough batches for about 20 million input values.
        int calls = Math.max(1, 20_000_000 / (planes * spatial));
        long[][] times = new long[4][rounds];
        for (int round = 0; round < rounds; round++) {
            // Old first in even rounds, new first in odd ones, so that neither always runs second.
            for (int turn = 0; turn < 2; turn++) {
                boolean old = (round + turn) % 2 == 0;
                long t0 = System.nanoTime();
                for (int p = 0; p < planes * calls; p++) {
                    if (old) {
                        oldMaxPlane(g, x[p % planes], oldOut);
                    } else {
                        Pool2d.maxPlane(g, x[p % planes], out, pairs);
                    }
                }
                long t1 = System.nanoTime();
                for (int p = 0; p < planes * calls; p++) {
                    float[] acc = old ? oldGrad : grad;
                    if (!tiles) {
                        Arrays.fill(acc, 0f);
                    }
                    if (old) {
                        oldMaxPlaneBackward(g, y[p % planes], dp[p % planes], acc, tiles);
                    } else {
                        Pool2d.maxPlaneBackward(g, y[p % planes], dp[p % planes], acc, tiles, false, pairs);
                    }
                }
                long t2 = System.nanoTime();
                times[old ? 0 : 1][round] = (t1 - t0) / calls;
                times[old ? 2 : 3][round] = (t2 - t1) / calls;
            }
        }
        if (!Arrays.equals(out, oldOut) || !Arrays.equals(grad, oldGrad)) {
            throw new AssertionError("old and new loops differ at " + channels + "x" + height + "x" + width);
        }
        if (!print) {
            return;
        }
        System.out.printf(Locale.ROOT, "%dx%dx%d: forward old %s new %s; backward old %s new %s%n", channels, height,
                width, minMedian(times[0]), minMedian(times[1]), minMedian(times[2]), minMedian(times[3]));
    }

    /** {@link Pool2d#maxPlane} before the pair pass, its 2x2 branch with the same prologue. */
    private static void oldMaxPlane(PoolGeometry g, float[] in, float[] out) {
        int width = g.width();
        int oh = g.outHeight();
        int ow = g.outWidth();
        if (!Pool2d.isTwoByTwo(g)) {
            throw new IllegalArgumentException("not maxpool(2): " + g);
        }
        for (int oy = 0; oy < oh; oy++) {
            for (int ox = 0, i = 2 * oy * width, o = oy * ow; ox < ow; ox++, i += 2, o++) {
                out[o] = Math.max(Math.max(in[i], in[i + 1]), Math.max(in[i + width], in[i + width + 1]));
            }
        }
    }

    /** {@link Pool2d#maxPlaneBackward} before the pair pass, its 2x2 branch with the same prologue. */
    private static void oldMaxPlaneBackward(PoolGeometry g, float[] in, float[] grad, float[] acc, boolean assign) {
        int width = g.width();
        int oh = g.outHeight();
        int ow = g.outWidth();
        if (!Pool2d.isTwoByTwo(g)) {
            throw new IllegalArgumentException("not maxpool(2): " + g);
        }
        for (int oy = 0; oy < oh; oy++) {
            for (int ox = 0, i = 2 * oy * width, o = oy * ow; ox < ow; ox++, i += 2, o++) {
                float a = in[i];
                float b = in[i + 1];
                float c = in[i + width];
                float d = in[i + width + 1];
                float max = Math.max(Math.max(a, b), Math.max(c, d));
                int gradBits = Float.floatToRawIntBits(grad[o]);
                int ea = a == max ? -1 : 0;
                int eb = (b == max ? -1 : 0) & ~ea;
                int ec = (c == max ? -1 : 0) & ~(ea | eb);
                int ed = ~(ea | eb | ec);
                if (assign) {
                    acc[i] = Float.intBitsToFloat(gradBits & ea);
                    acc[i + 1] = Float.intBitsToFloat(gradBits & eb);
                    acc[i + width] = Float.intBitsToFloat(gradBits & ec);
                    acc[i + width + 1] = Float.intBitsToFloat(gradBits & ed);
                } else {
                    acc[i] += Float.intBitsToFloat(gradBits & ea);
                    acc[i + 1] += Float.intBitsToFloat(gradBits & eb);
                    acc[i + width] += Float.intBitsToFloat(gradBits & ec);
                    acc[i + width + 1] += Float.intBitsToFloat(gradBits & ed);
                }
            }
        }
    }

    private static String minMedian(long[] nanos) {
        long[] sorted = nanos.clone();
        Arrays.sort(sorted);
        return String.format(Locale.ROOT, "min %.0f us med %.0f us", sorted[0] / 1e3, sorted[sorted.length / 2] / 1e3);
    }
}
