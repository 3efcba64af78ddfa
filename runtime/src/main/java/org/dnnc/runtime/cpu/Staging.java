package org.dnnc.runtime.cpu;

/**
 * Per-thread heap arrays, grown on demand and then kept, for the image kernels that stage whole
 * planes, rows or per-channel sums on the Java heap (see {@code Chunks} for why staging pays).
 *
 * <p>Unlike {@code Chunks}, whose arrays are one L1-sized chunk, these hold whatever one kernel call
 * needs: an image plane, a padded plane, an im2col row, one example's {@code C*H*W} values, or
 * {@code C} channel statistics. Each kernel uses distinct slots; a kernel never calls another kernel
 * that uses the same slot while it holds one. Arrays only grow, so after the first call of each
 * shape nothing is allocated. Contents are unspecified on return: callers clear what they sum into.
 */
final class Staging {

    private static final int FLOAT_SLOTS = 20;
    private static final int DOUBLE_SLOTS = 4;
    private static final ThreadLocal<Staging> LOCAL = ThreadLocal.withInitial(Staging::new);

    private final float[][] floats = new float[FLOAT_SLOTS][0];
    private final double[][] doubles = new double[DOUBLE_SLOTS][0];

    private Staging() {}

    /** This thread's arrays. */
    static Staging get() {
        return LOCAL.get();
    }

    /** Float array number {@code slot} ({@code 0..19}), at least {@code n} long; contents unspecified. */
    float[] floats(int slot, int n) {
        float[] a = floats[slot];
        if (a.length < n) {
            a = new float[n];
            floats[slot] = a;
        }
        return a;
    }

    /** Double array number {@code slot} ({@code 0..3}), at least {@code n} long and zero-filled up to {@code n}. */
    double[] zeroDoubles(int slot, int n) {
        double[] a = doubles[slot];
        if (a.length < n) {
            a = new double[n];
            doubles[slot] = a;
        } else {
            java.util.Arrays.fill(a, 0, n, 0.0);
        }
        return a;
    }
}
