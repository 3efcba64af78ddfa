package org.dnnc.runtime.cpu;

/**
 * A small, fast, seeded random number generator (SplitMix64) for dropout masks and initializers.
 *
 * <p>Our own rather than {@link java.util.SplittableRandom} so that the sequence, including the
 * Gaussian one, is fixed by this file and not by the JDK version: a seed gives the same weights and
 * masks everywhere. The state is one {@code long}, which a checkpoint can save with {@link
 * #state()} and restore with {@link #setState(long)}. Not thread-safe; give each thread its own.
 */
public final class Rng {

    private static final long GOLDEN_GAMMA = 0x9E3779B97F4A7C15L;

    private long state;
    private double spareGaussian;
    private boolean hasSpare;

    /** A generator whose sequence is determined by {@code seed}. */
    public Rng(long seed) {
        this.state = seed;
    }

    /**
     * The seed of stream {@code stream} of several independent ones drawn from one {@code seed}, such
     * as one per parameter of a network: SplitMix64's output at that position, so the streams start
     * at unrelated states. Seeds such as {@code seed ^ (stream * gamma)} would not do: the state
     * advances by gamma, so those streams are mostly one sequence shifted by a few draws.
     */
    public static long streamSeed(long seed, int stream) {
        return mix(seed + (stream + 1L) * GOLDEN_GAMMA);
    }

    /** 64 random bits. */
    public long nextLong() {
        return mix(state += GOLDEN_GAMMA);
    }

    private static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    /** Uniform in {@code [0, 1)} with 24 random bits. */
    public float nextFloat() {
        return (nextLong() >>> 40) * 0x1.0p-24f;
    }

    /** Uniform in {@code [0, 1)} with 53 random bits. */
    public double nextDouble() {
        return (nextLong() >>> 11) * 0x1.0p-53;
    }

    /** Standard normal (Marsaglia's polar method; values come in pairs, the second is kept). */
    public double nextGaussian() {
        if (hasSpare) {
            hasSpare = false;
            return spareGaussian;
        }
        double u;
        double v;
        double s;
        do {
            u = 2 * nextDouble() - 1;
            v = 2 * nextDouble() - 1;
            s = u * u + v * v;
        } while (s >= 1 || s == 0);
        double scale = Math.sqrt(-2 * Math.log(s) / s);
        spareGaussian = v * scale;
        hasSpare = true;
        return u * scale;
    }

    /** The state, to save in a checkpoint (a pending Gaussian is not part of it). */
    public long state() {
        return state;
    }

    /** Restores a state saved with {@link #state()}. */
    public void setState(long state) {
        this.state = state;
        this.hasSpare = false;
    }
}
