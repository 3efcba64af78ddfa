package org.dnnc.runtime.cpu;

import java.nio.FloatBuffer;

/**
 * Parameter initializers with PyTorch's conventions ({@code torch.nn.init}), seeded and
 * deterministic: the same seed fills the same values on every machine and JDK (see {@link Rng}).
 *
 * <p>Fans follow PyTorch: for a weight of shape {@code [out, in, k...]}, {@code fanIn = in * prod(k)}
 * and {@code fanOut = out * prod(k)}; {@link #fanIn} and {@link #fanOut} compute them. He (Kaiming)
 * initializers use fan-in and the ReLU gain {@code sqrt(2)}; Glorot (Xavier) ones use gain 1.
 */
public final class Init {

    private Init() {}

    /** All zeros. */
    public static void zeros(Buf w, int n) {
        Elementwise.fill(w, n, 0f);
    }

    /** All ones. */
    public static void ones(Buf w, int n) {
        Elementwise.fill(w, n, 1f);
    }

    /** Uniform in {@code [a, b)}. */
    public static void uniform(Buf w, int n, float a, float b, long seed) {
        Rng rng = new Rng(seed);
        FloatBuffer ws = w.data;
        double width = (double) b - a;
        for (int i = 0; i < n; i++) {
            ws.put(i, (float) (a + width * rng.nextDouble()));
        }
    }

    /** Normal with the given mean and standard deviation. */
    public static void normal(Buf w, int n, float mean, float std, long seed) {
        Rng rng = new Rng(seed);
        FloatBuffer ws = w.data;
        for (int i = 0; i < n; i++) {
            ws.put(i, (float) (mean + std * rng.nextGaussian()));
        }
    }

    /** Glorot/Xavier uniform: {@code U(-a, a)}, {@code a = sqrt(6 / (fanIn + fanOut))}. */
    public static void glorotUniform(Buf w, int n, int fanIn, int fanOut, long seed) {
        float a = (float) Math.sqrt(6.0 / (fanIn + fanOut));
        uniform(w, n, -a, a, seed);
    }

    /** Glorot/Xavier normal: {@code N(0, 2 / (fanIn + fanOut))}. */
    public static void glorotNormal(Buf w, int n, int fanIn, int fanOut, long seed) {
        normal(w, n, 0f, (float) Math.sqrt(2.0 / (fanIn + fanOut)), seed);
    }

    /** He/Kaiming uniform for ReLU: {@code U(-a, a)}, {@code a = sqrt(2) * sqrt(3 / fanIn)}. */
    public static void heUniform(Buf w, int n, int fanIn, long seed) {
        float a = (float) Math.sqrt(6.0 / fanIn);
        uniform(w, n, -a, a, seed);
    }

    /** He/Kaiming normal for ReLU: {@code N(0, 2 / fanIn)}. */
    public static void heNormal(Buf w, int n, int fanIn, long seed) {
        normal(w, n, 0f, (float) Math.sqrt(2.0 / fanIn), seed);
    }

    /**
     * PyTorch's fan-in of a weight shape {@code [out, in, k...]}: {@code in * prod(k)}.
     *
     * @throws IllegalArgumentException for fewer than 2 dimensions, where fans are undefined
     */
    public static int fanIn(int... shape) {
        int field = receptiveField(shape);
        return shape[1] * field;
    }

    /** PyTorch's fan-out of a weight shape {@code [out, in, k...]}: {@code out * prod(k)}. */
    public static int fanOut(int... shape) {
        int field = receptiveField(shape);
        return shape[0] * field;
    }

    private static int receptiveField(int[] shape) {
        if (shape.length < 2) {
            throw new IllegalArgumentException("fans need a weight of at least 2 dimensions, got " + shape.length);
        }
        int field = 1;
        for (int i = 2; i < shape.length; i++) {
            field *= shape[i];
        }
        return field;
    }
}
