package org.dnnc.runtime.cpu;

import java.nio.IntBuffer;
import java.util.Arrays;
import java.util.Locale;

/**
 * Micro benchmark (a main class, not a test): one training step of the 784-256-128-10 ReLU MLP at
 * batch 64 (forward, softmax cross-entropy, backward, Adam over all parameters) with these kernels,
 * laid out the way generated code will be: parameters, gradients and both Adam moments each one
 * contiguous block with the same layout, so one Adam call updates everything; activations carved
 * from a second arena. Also times inference (forward only) at the same batch.
 *
 * <p>Prints one JSON line. Arguments: {@code [threads (2)] [seconds per measurement (3)]
 * [breakdown]}, where threads are a {@link CpuContext}'s (2 splits the large calls over two threads
 * with OpenBLAS at one, more run OpenBLAS with that many); with {@code breakdown} it also reports
 * the time of each phase.
 */
public final class CpuKernelBench {

    private static final int BATCH = 64;
    private static final int[] SIZES = {784, 256, 128, 10};

    private final Buf[] w = new Buf[3];
    private final Buf[] b = new Buf[3];
    private final Buf[] dw = new Buf[3];
    private final Buf[] db = new Buf[3];
    private final Buf[] act = new Buf[4];
    private final Buf[] grad = new Buf[4];
    private final Buf params;
    private final Buf grads;
    private final Buf m;
    private final Buf v;
    private final IntBuffer labels;
    private final int paramFloats;
    private final Rng labelRng = new Rng(2);
    private long step;
    private float lastLoss;

    private CpuKernelBench(Arena persistent, Arena work) {
        long off = 0;
        long[] wOff = new long[3];
        long[] bOff = new long[3];
        for (int l = 0; l < 3; l++) {
            wOff[l] = off;
            off += Arena.align(4L * SIZES[l + 1] * SIZES[l]);
            bOff[l] = off;
            off += Arena.align(4L * SIZES[l + 1]);
        }
        long block = off;
        paramFloats = (int) (block / 4);
        // Four blocks with one layout: parameters, gradients, Adam m, Adam v.
        params = persistent.floats(0, paramFloats);
        grads = persistent.floats(block, paramFloats);
        m = persistent.floats(2 * block, paramFloats);
        v = persistent.floats(3 * block, paramFloats);
        for (int l = 0; l < 3; l++) {
            w[l] = persistent.floats(wOff[l], SIZES[l + 1] * SIZES[l]);
            b[l] = persistent.floats(bOff[l], SIZES[l + 1]);
            dw[l] = persistent.floats(block + wOff[l], SIZES[l + 1] * SIZES[l]);
            db[l] = persistent.floats(block + bOff[l], SIZES[l + 1]);
            Init.heNormal(w[l], SIZES[l + 1] * SIZES[l], SIZES[l], 100 + l);
        }
        long a = 0;
        for (int l = 0; l < 4; l++) {
            act[l] = work.floats(a, BATCH * SIZES[l]);
            a += Arena.align(4L * BATCH * SIZES[l]);
            grad[l] = work.floats(a, BATCH * SIZES[l]);
            a += Arena.align(4L * BATCH * SIZES[l]);
        }
        labels = work.ints(a, BATCH);
        Rng rng = new Rng(1);
        for (int i = 0; i < BATCH * SIZES[0]; i++) {
            act[0].set(i, rng.nextFloat());
        }
        for (int i = 0; i < BATCH; i++) {
            labels.put(i, (int) (rng.nextLong() >>> 60) % 10);
        }
    }

    static long persistentBytes() {
        long off = 0;
        for (int l = 0; l < 3; l++) {
            off += Arena.align(4L * SIZES[l + 1] * SIZES[l]) + Arena.align(4L * SIZES[l + 1]);
        }
        return 4 * off;
    }

    static long workBytes() {
        long a = 0;
        for (int l = 0; l < 4; l++) {
            a += 2 * Arena.align(4L * BATCH * SIZES[l]);
        }
        return a + Arena.align(4L * BATCH);
    }

    void forward() {
        for (int l = 0; l < 3; l++) {
            Dense.forward(act[l], w[l], b[l], act[l + 1], BATCH, SIZES[l], SIZES[l + 1],
                    l < 2 ? Activation.RELU : Activation.IDENTITY, 0f);
        }
    }

    void lossAndBackward() {
        lastLoss = Losses.softmaxCrossEntropy(act[3], labels, grad[3], BATCH, 10);
        for (int l = 2; l >= 0; l--) {
            Activations.biasBackward(l < 2 ? Activation.RELU : Activation.IDENTITY, 0f, act[l + 1], grad[l + 1],
                    grad[l + 1], db[l], BATCH, SIZES[l + 1], false);
            Dense.backwardWeights(grad[l + 1], act[l], dw[l], BATCH, SIZES[l], SIZES[l + 1], false);
            if (l > 0) { // the input needs no gradient
                Dense.backwardInput(grad[l + 1], w[l], grad[l], BATCH, SIZES[l], SIZES[l + 1], false);
            }
        }
    }

    void update() {
        Optimizers.adam(params, grads, m, v, paramFloats, 1e-3f, 0.9f, 0.999f, 1e-8f, 0f, 0f, ++step);
    }

    void trainStep() {
        // Fresh random labels every step: on one fixed batch the net would fit it within a few hundred
        // steps, and the vanishing gradients turn denormal, which slows every kernel down tenfold.
        for (int i = 0; i < BATCH; i++) {
            labels.put(i, (int) ((labelRng.nextLong() >>> 33) % 10));
        }
        forward();
        lossAndBackward();
        update();
    }

    /** Median over rounds of the mean time per call, in nanoseconds. */
    private static double time(Runnable r, double seconds) {
        long deadline = System.nanoTime() + (long) (seconds * 1e9 * 0.3);
        while (System.nanoTime() < deadline) {
            r.run(); // warm-up: JIT and OpenBLAS threads
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
        int threads = args.length > 0 ? Integer.parseInt(args[0]) : 2;
        double seconds = args.length > 1 ? Double.parseDouble(args[1]) : 3;
        boolean breakdown = Arrays.asList(args).contains("breakdown");
        InContext.run(threads, () -> run(threads, seconds, breakdown));
    }

    private static void run(int threads, double seconds, boolean breakdown) {
        try (Arena persistent = new Arena(persistentBytes()); Arena work = new Arena(workBytes())) {
            CpuKernelBench bench = new CpuKernelBench(persistent, work);
            double train = time(bench::trainStep, seconds);
            double infer = time(bench::forward, seconds);
            StringBuilder json = new StringBuilder();
            json.append(String.format(Locale.ROOT,
                    "{\"bench\":\"mlp_train_step\",\"layers\":\"784-256-128-10\",\"batch\":%d,\"threads\":%d,"
                            + "\"step_ms\":%.4f,\"steps_per_s\":%.1f,\"images_per_s\":%.0f,"
                            + "\"infer_ms\":%.4f,\"infer_images_per_s\":%.0f,\"loss\":%.4f",
                    BATCH, threads, train / 1e6, 1e9 / train, BATCH * 1e9 / train, infer / 1e6,
                    BATCH * 1e9 / infer, bench.lastLoss));
            if (breakdown) {
                double fwd = infer;
                double bwd = time(bench::lossAndBackward, seconds);
                double adam = time(bench::update, seconds);
                json.append(String.format(Locale.ROOT, ",\"forward_ms\":%.4f,\"loss_backward_ms\":%.4f,\"adam_ms\":%.4f",
                        fwd / 1e6, bwd / 1e6, adam / 1e6));
            }
            System.out.println(json.append('}'));
        }
    }
}
