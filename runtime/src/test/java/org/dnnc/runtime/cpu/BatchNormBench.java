package org.dnnc.runtime.cpu;

import java.util.Arrays;
import java.util.Locale;

/**
 * Micro benchmark (a main class, not a test): {@link BatchNorm}'s training forward pass (batch
 * statistics, scale and shift, fused ReLU) and its backward pass (statistics recomputed, all three
 * gradients), as the generated classes call them, on the batch-norm shapes of the benchmark
 * networks at batch 64: {@code 32x14x14} to {@code 256x4x4}.
 *
 * <p>Prints one line per shape with the minimum and the median time per call over the rounds (a
 * round times enough calls for about 20 million values); on a loaded machine the minimum is the
 * steadier figure. Arguments: {@code [threads (1)] [rounds (20)]}, threads as a {@link
 * CpuContext}'s. To compare two versions, copy the other one into this package under another name
 * and alternate the two in each round.
 */
public final class BatchNormBench {

    private static final int BATCH = 64;
    /** Channels and spatial size ({@code H * W}) of the benchmark networks' batch norms. */
    private static final int[][] SHAPES = {{32, 196}, {64, 196}, {64, 49}, {128, 49}, {128, 16}, {256, 16}};

    private BatchNormBench() {}

    public static void main(String[] args) {
        int threads = args.length > 0 ? Integer.parseInt(args[0]) : 1;
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 20;
        InContext.run(threads, () -> {
            for (int[] shape : SHAPES) {
                run(shape[0], shape[1], rounds);
            }
        });
    }

    private static void run(int channels, int spatial, int rounds) {
        Rng rng = new Rng(7);
        int size = BATCH * channels * spatial;
        Buf x = gaussian(size, rng, 0.5f);
        Buf dy = gaussian(size, rng, 0f);
        Buf gamma = gaussian(channels, rng, 1f);
        Buf beta = gaussian(channels, rng, 0f);
        Buf runningMean = Buf.allocate(channels);
        Buf runningVar = Buf.allocate(channels);
        Buf y = Buf.allocate(size);
        Buf dx = Buf.allocate(size);
        Buf dgamma = Buf.allocate(channels);
        Buf dbeta = Buf.allocate(channels);
        int calls = Math.max(3, 20_000_000 / size);
        long[] forward = new long[rounds];
        long[] backward = new long[rounds];
        for (int round = 0; round < rounds; round++) {
            long t0 = System.nanoTime();
            for (int i = 0; i < calls; i++) {
                BatchNorm.forwardTraining(x, gamma, beta, runningMean, runningVar, y, null, BATCH, channels,
                        spatial, 0.1f, 1e-5f, true);
            }
            long t1 = System.nanoTime();
            for (int i = 0; i < calls; i++) {
                BatchNorm.backward(x, y, dy, gamma, null, dx, dgamma, dbeta, BATCH, channels, spatial, 1e-5f,
                        true, false, false);
            }
            long t2 = System.nanoTime();
            forward[round] = (t1 - t0) / calls;
            backward[round] = (t2 - t1) / calls;
        }
        System.out.printf(Locale.ROOT, "%dx%d: forward %s, backward %s%n", channels, spatial, minMedian(forward),
                minMedian(backward));
    }

    private static Buf gaussian(int n, Rng rng, float mean) {
        Buf b = Buf.allocate(n);
        for (int i = 0; i < n; i++) {
            b.data.put(i, (float) rng.nextGaussian() + mean);
        }
        return b;
    }

    private static String minMedian(long[] nanos) {
        long[] sorted = nanos.clone();
        Arrays.sort(sorted);
        return String.format(Locale.ROOT, "min %.1f us median %.1f us", sorted[0] / 1e3,
                sorted[sorted.length / 2] / 1e3);
    }
}
