package org.dnnc.runtime.cpu;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * Micro benchmark (a main class, not a test): each {@link ConvAlgorithm} that applies to a layer
 * shape of {@code bench/networks/Vgg.dnn} and {@code Strided.dnn}, at batch 64 in a {@link
 * CpuContext} of two threads: forward (bias and ReLU), input gradient and kernel gradient. The
 * algorithms run interleaved, round after round, so that a noisy machine slows all alike; it prints
 * the median milliseconds per call of each (forward, input gradient, kernel gradient; {@code
 * WINOGRAD_TRANSPOSED} differs from {@code WINOGRAD} in the input gradient only, elsewhere it runs
 * im2col), and which the rules pick.
 *
 * <p>Arguments: {@code [rounds (15)] [threads (2)]}.
 */
public final class ConvAlgorithmBench {

    private static final int BATCH = 64;

    private ConvAlgorithmBench() {}

    /** Runs the benchmark; see the class comment for the arguments. */
    public static void main(String[] args) {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 15;
        int threads = args.length > 1 ? Integer.parseInt(args[1]) : 2;
        String[] names = {"vgg 1->16 28x28", "vgg 16->16 28x28", "vgg 16->32 14x14", "vgg 32->32 14x14",
            "vgg 32->64 7x7", "vgg 64->64 7x7", "strided 1->32 s2", "strided 32->64 1x1 14x14",
            "strided 64->64 s2", "strided 64->128 1x1 7x7", "strided 128->128 s2", "strided 128->256 1x1 4x4"};
        ConvGeometry[] shapes = {
            ConvGeometry.same(1, 28, 28, 16, 3, 3, 1, 1),
            ConvGeometry.same(16, 28, 28, 16, 3, 3, 1, 1),
            ConvGeometry.same(16, 14, 14, 32, 3, 3, 1, 1),
            ConvGeometry.same(32, 14, 14, 32, 3, 3, 1, 1),
            ConvGeometry.same(32, 7, 7, 64, 3, 3, 1, 1),
            ConvGeometry.same(64, 7, 7, 64, 3, 3, 1, 1),
            ConvGeometry.symmetric(1, 28, 28, 32, 3, 2, 1),
            ConvGeometry.symmetric(32, 14, 14, 64, 1, 1, 0),
            ConvGeometry.symmetric(64, 14, 14, 64, 3, 2, 1),
            ConvGeometry.symmetric(64, 7, 7, 128, 1, 1, 0),
            ConvGeometry.symmetric(128, 7, 7, 128, 3, 2, 1),
            ConvGeometry.symmetric(128, 4, 4, 256, 1, 1, 0),
        };
        Rng rng = new Rng(5);
        InContext.run(threads, () -> {
            for (int s = 0; s < shapes.length; s++) {
                measure(names[s], shapes[s], rounds, rng);
            }
        });
    }

    private static void measure(String name, ConvGeometry g, int rounds, Rng rng) {
        List<ConvAlgorithm> algorithms = new ArrayList<>();
        algorithms.add(g.isPointwise() ? ConvAlgorithm.POINTWISE : ConvAlgorithm.IM2COL);
        algorithms.add(ConvAlgorithm.IM2COL_BATCHED);
        if (g.strideH() == 1 && g.kernelW() == 3 && g.channels() * g.kernelH() >= 32) {
            algorithms.add(ConvAlgorithm.WINOGRAD);
            algorithms.add(ConvAlgorithm.WINOGRAD_TRANSPOSED);
        }
        int spatial = g.outHeight() * g.outWidth();
        int batched = (g.patchSize() + g.filters()) * ConvAlgorithm.examplesPerGemm(g) * spatial;
        int scratchSize = Math.max(Conv2d.scratchFloats(g, 2), 2 * batched + g.weightSize());
        Buf x = random(rng, BATCH * g.inputSize());
        Buf w = random(rng, g.weightSize());
        Buf b = random(rng, g.filters());
        Buf y = Buf.allocate(BATCH * g.outputSize());
        Buf dy = random(rng, BATCH * g.outputSize());
        Buf dx = Buf.allocate(BATCH * g.inputSize());
        Buf dw = Buf.allocate(g.weightSize());
        Buf scratch = Buf.allocate(scratchSize);
        double[][][] times = new double[algorithms.size()][3][rounds];
        for (int r = -3; r < rounds; r++) {
            for (int a = 0; a < algorithms.size(); a++) {
                ConvAlgorithm algorithm = algorithms.get(a);
                long t0 = System.nanoTime();
                Conv2d.forward(algorithm, g, x, w, b, y, scratch, BATCH, Activation.RELU, 0f);
                long t1 = System.nanoTime();
                Conv2d.backwardInput(algorithm, g, dy, w, dx, scratch, BATCH, false);
                long t2 = System.nanoTime();
                Conv2d.backwardWeights(algorithm, g, dy, x, dw, scratch, BATCH, false);
                long t3 = System.nanoTime();
                if (r >= 0) {
                    times[a][0][r] = (t1 - t0) / 1e6;
                    times[a][1][r] = (t2 - t1) / 1e6;
                    times[a][2][r] = (t3 - t2) / 1e6;
                }
            }
        }
        StringBuilder line = new StringBuilder(String.format(Locale.ROOT, "%-26s", name));
        for (int a = 0; a < algorithms.size(); a++) {
            line.append(String.format(Locale.ROOT, " | %s %.2f %.2f %.2f", algorithms.get(a),
                    median(times[a][0]), median(times[a][1]), median(times[a][2])));
        }
        line.append(String.format(Locale.ROOT, " | rules: %s/%s/%s", ConvAlgorithm.forward(g),
                ConvAlgorithm.inputGradient(g), ConvAlgorithm.weightGradient(g)));
        System.out.println(line);
    }

    private static double median(double[] values) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        return sorted[sorted.length / 2];
    }

    private static Buf random(Rng rng, int n) {
        Buf b = Buf.allocate(n);
        for (int i = 0; i < n; i++) {
            b.set(i, (float) rng.nextGaussian());
        }
        return b;
    }
}
