package org.dnnc.runtime.cpu;

import java.nio.IntBuffer;
import java.util.Arrays;
import java.util.Locale;

/**
 * Micro benchmark (a main class, not a test): one training step of the {@code examples/fashion-cnn}
 * network at batch 64 with these kernels: two blocks of 5x5 {@code same} convolution (16 and 32
 * filters), training batch norm with fused ReLU and 2x2 max pooling, then dense 1568-128 with ReLU,
 * dropout 0.5, dense 128-10, softmax cross-entropy, backward, and Adam on every parameter. Also
 * times inference (convolutions, BN with running statistics, pooling, dense) at the same batch.
 *
 * <p>Prints one JSON line: the step and inference times, and with {@code breakdown} the mean time
 * of each kernel call inside the training step. Arguments: {@code [threads (1)] [seconds (3)]
 * [breakdown]}, where threads are a {@link CpuContext}'s: with 2 the kernels split each batch over
 * two threads ({@link Workers}) and OpenBLAS runs one, with more OpenBLAS runs that many.
 */
public final class CnnKernelBench {

    private static final int BATCH = 64;
    private static final String[] PHASES = {
        "conv1_fwd", "bn1_relu_fwd", "pool1_fwd", "conv2_fwd", "bn2_relu_fwd", "pool2_fwd", "dense_fwd", "loss",
        "dense_bwd", "pool2_bwd", "bn2_relu_bwd", "conv2_bwd_bias", "conv2_bwd_weights", "conv2_bwd_input",
        "pool1_bwd", "bn1_relu_bwd", "conv1_bwd_bias", "conv1_bwd_weights", "adam",
    };

    private final ConvGeometry conv1 = ConvGeometry.same(1, 28, 28, 16, 5, 5, 1, 1);
    private final ConvGeometry conv2 = ConvGeometry.same(16, 14, 14, 32, 5, 5, 1, 1);
    private final PoolGeometry pool1 = PoolGeometry.of(16, 28, 28, 2, 2);
    private final PoolGeometry pool2 = PoolGeometry.of(32, 14, 14, 2, 2);
    private final int features = pool2.outputSize();
    private final Buf scratch = Buf.allocate(Math.max(Conv2d.scratchFloats(conv1, 2), Conv2d.scratchFloats(conv2, 2)));
    private final Buf x = Buf.allocate(BATCH * conv1.inputSize());
    private final IntBuffer labels = IntBuffer.allocate(BATCH);
    private final Rng rng = new Rng(5);
    // Parameters, gradients and Adam moments, one Buf each per tensor.
    private final Buf[] p = new Buf[12];
    private final Buf[] g = new Buf[12];
    private final Buf[] m = new Buf[12];
    private final Buf[] v = new Buf[12];
    private final Buf rm1 = Buf.allocate(16);
    private final Buf rv1 = Buf.allocate(16);
    private final Buf rm2 = Buf.allocate(32);
    private final Buf rv2 = Buf.allocate(32);
    private final Buf saved1 = Buf.allocate(2 * 16);
    private final Buf saved2 = Buf.allocate(2 * 32);
    private final Buf c1 = Buf.allocate(BATCH * conv1.outputSize());
    private final Buf a1 = Buf.allocate(BATCH * conv1.outputSize());
    private final Buf p1 = Buf.allocate(BATCH * pool1.outputSize());
    private final Buf c2 = Buf.allocate(BATCH * conv2.outputSize());
    private final Buf a2 = Buf.allocate(BATCH * conv2.outputSize());
    private final Buf p2 = Buf.allocate(BATCH * features);
    private final Buf h = Buf.allocate(BATCH * 128);
    private final Buf hd = Buf.allocate(BATCH * 128);
    private final Buf mask = Buf.allocate(BATCH * 128);
    private final Buf logits = Buf.allocate(BATCH * 10);
    private final Buf dlogits = Buf.allocate(BATCH * 10);
    private final Buf dh = Buf.allocate(BATCH * 128);
    private final Buf dp2 = Buf.allocate(BATCH * features);
    private final Buf da2 = Buf.allocate(BATCH * conv2.outputSize());
    private final Buf dp1 = Buf.allocate(BATCH * pool1.outputSize());
    private final Buf da1 = Buf.allocate(BATCH * conv1.outputSize());
    private final long[] phaseNanos = new long[PHASES.length];
    private long steps;
    private long t;
    private int phase;
    private float lastLoss;

    private CnnKernelBench() {
        int[] sizes = {conv1.weightSize(), 16, 16, 16, conv2.weightSize(), 32, 32, 32, 128 * features, 128, 10 * 128, 10};
        for (int i = 0; i < sizes.length; i++) {
            p[i] = Buf.allocate(sizes[i]);
            g[i] = Buf.allocate(sizes[i]);
            m[i] = Buf.allocate(sizes[i]);
            v[i] = Buf.allocate(sizes[i]);
        }
        Init.heNormal(p[0], sizes[0], conv1.patchSize(), 1);
        Init.heNormal(p[4], sizes[4], conv2.patchSize(), 2);
        Init.heNormal(p[8], sizes[8], features, 3);
        Init.heNormal(p[10], sizes[10], 128, 4);
        Elementwise.fill(p[2], 16, 1f); // gamma
        Elementwise.fill(p[6], 32, 1f);
        Elementwise.fill(rv1, 16, 1f);
        Elementwise.fill(rv2, 32, 1f);
        Init.uniform(x, x.size(), 0f, 1f, 6);
    }

    private void mark() {
        long now = System.nanoTime();
        phaseNanos[phase++] += now - t;
        t = now;
    }

    void trainStep() {
        // Fresh random labels every step, so that gradients stay far from denormal.
        for (int i = 0; i < BATCH; i++) {
            labels.put(i, (int) ((rng.nextLong() >>> 33) % 10));
        }
        phase = 0;
        t = System.nanoTime();
        Conv2d.forward(conv1, x, p[0], p[1], c1, scratch, BATCH, Activation.IDENTITY, 0f);
        mark();
        BatchNorm.forwardTraining(c1, p[2], p[3], rm1, rv1, a1, saved1, BATCH, 16, 784, 0.1f, 1e-5f, true);
        mark();
        Pool2d.maxForward(pool1, a1, p1, BATCH);
        mark();
        Conv2d.forward(conv2, p1, p[4], p[5], c2, scratch, BATCH, Activation.IDENTITY, 0f);
        mark();
        BatchNorm.forwardTraining(c2, p[6], p[7], rm2, rv2, a2, saved2, BATCH, 32, 196, 0.1f, 1e-5f, true);
        mark();
        Pool2d.maxForward(pool2, a2, p2, BATCH);
        mark();
        Dense.forward(p2, p[8], p[9], h, BATCH, features, 128, Activation.RELU, 0f);
        Dropout.forward(h, hd, mask, BATCH * 128, 0.5f, rng);
        Dense.forward(hd, p[10], p[11], logits, BATCH, 128, 10, Activation.IDENTITY, 0f);
        mark();
        lastLoss = Losses.softmaxCrossEntropy(logits, labels, dlogits, BATCH, 10);
        mark();
        Dense.backwardBias(dlogits, g[11], BATCH, 10, false);
        Dense.backwardWeights(dlogits, hd, g[10], BATCH, 128, 10, false);
        Dense.backwardInput(dlogits, p[10], dh, BATCH, 128, 10, false);
        Dropout.backward(dh, mask, dh, BATCH * 128);
        Activations.biasBackward(Activation.RELU, 0f, h, dh, dh, g[9], BATCH, 128, false);
        Dense.backwardWeights(dh, p2, g[8], BATCH, features, 128, false);
        Dense.backwardInput(dh, p[8], dp2, BATCH, features, 128, false);
        mark();
        Pool2d.maxBackward(pool2, a2, dp2, da2, BATCH, false);
        mark();
        BatchNorm.backward(c2, a2, da2, p[6], saved2, da2, g[6], g[7], BATCH, 32, 196, 1e-5f, true, false, false);
        mark();
        Conv2d.backwardBias(da2, g[5], BATCH, 32, 196, false);
        mark();
        Conv2d.backwardWeights(conv2, da2, p1, g[4], scratch, BATCH, false);
        mark();
        Conv2d.backwardInput(conv2, da2, p[4], dp1, scratch, BATCH, false);
        mark();
        Pool2d.maxBackward(pool1, a1, dp1, da1, BATCH, false);
        mark();
        BatchNorm.backward(c1, a1, da1, p[2], saved1, da1, g[2], g[3], BATCH, 16, 784, 1e-5f, true, false, false);
        mark();
        Conv2d.backwardBias(da1, g[1], BATCH, 16, 784, false);
        mark();
        Conv2d.backwardWeights(conv1, da1, x, g[0], scratch, BATCH, false);
        mark();
        steps++;
        for (int i = 0; i < p.length; i++) {
            Optimizers.adam(p[i], g[i], m[i], v[i], p[i].size(), 1e-3f, 0.9f, 0.999f, 1e-8f, 0f, 0f, steps);
        }
        mark();
    }

    void infer() {
        Conv2d.forward(conv1, x, p[0], p[1], c1, scratch, BATCH, Activation.IDENTITY, 0f);
        BatchNorm.forwardInference(c1, p[2], p[3], rm1, rv1, a1, BATCH, 16, 784, 1e-5f, true);
        Pool2d.maxForward(pool1, a1, p1, BATCH);
        Conv2d.forward(conv2, p1, p[4], p[5], c2, scratch, BATCH, Activation.IDENTITY, 0f);
        BatchNorm.forwardInference(c2, p[6], p[7], rm2, rv2, a2, BATCH, 32, 196, 1e-5f, true);
        Pool2d.maxForward(pool2, a2, p2, BATCH);
        Dense.forward(p2, p[8], p[9], h, BATCH, features, 128, Activation.RELU, 0f);
        Dense.forward(h, p[10], p[11], logits, BATCH, 128, 10, Activation.IDENTITY, 0f);
    }

    /** Median over rounds of the mean time per call, in nanoseconds. */
    private static double time(Runnable r, double seconds) {
        long deadline = System.nanoTime() + (long) (seconds * 1e9 * 0.3);
        while (System.nanoTime() < deadline) {
            r.run();
        }
        double[] rounds = new double[7];
        long perRound = (long) (seconds * 1e9 * 0.7 / rounds.length);
        for (int k = 0; k < rounds.length; k++) {
            long start = System.nanoTime();
            long calls = 0;
            long now;
            do {
                r.run();
                calls++;
                now = System.nanoTime();
            } while (now - start < perRound);
            rounds[k] = (double) (now - start) / calls;
        }
        Arrays.sort(rounds);
        return rounds[rounds.length / 2];
    }

    public static void main(String[] args) {
        int threads = args.length > 0 ? Integer.parseInt(args[0]) : 1;
        double seconds = args.length > 1 ? Double.parseDouble(args[1]) : 3;
        boolean breakdown = Arrays.asList(args).contains("breakdown");
        InContext.run(threads, () -> run(threads, seconds, breakdown));
    }

    private static void run(int threads, double seconds, boolean breakdown) {
        CnnKernelBench bench = new CnnKernelBench();
        double train = time(bench::trainStep, seconds);
        double infer = time(bench::infer, seconds);
        StringBuilder json = new StringBuilder(String.format(Locale.ROOT,
                "{\"bench\":\"cnn_train_step\",\"net\":\"fashion-cnn\",\"batch\":%d,\"threads\":%d,"
                        + "\"blas_threads\":%d,\"split\":%b,\"step_ms\":%.3f,"
                        + "\"images_per_s\":%.0f,\"infer_ms\":%.3f,\"infer_images_per_s\":%.0f,\"loss\":%.4f",
                BATCH, threads, Blas.threads(), Workers.threads() == 2, train / 1e6, BATCH * 1e9 / train,
                infer / 1e6, BATCH * 1e9 / infer, bench.lastLoss));
        if (breakdown) {
            Arrays.fill(bench.phaseNanos, 0);
            bench.steps = 0;
            long n = 0;
            long end = System.nanoTime() + (long) (seconds * 1e9);
            while (System.nanoTime() < end) {
                bench.trainStep();
                n++;
            }
            json.append(",\"phases_ms\":{");
            for (int i = 0; i < PHASES.length; i++) {
                json.append(String.format(Locale.ROOT, "%s\"%s\":%.3f", i == 0 ? "" : ",", PHASES[i],
                        bench.phaseNanos[i] / 1e6 / n));
            }
            json.append('}');
        }
        System.out.println(json.append('}'));
    }
}
