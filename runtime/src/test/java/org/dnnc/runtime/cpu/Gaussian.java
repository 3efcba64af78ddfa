package org.dnnc.runtime.cpu;

/** Test views of standard-normal values, seeded. */
final class Gaussian {
    private Gaussian() {}

    /** A stand-alone view of {@code n} values drawn with {@link Rng} seeded by {@code seed}. */
    static Buf buf(int n, long seed) {
        Rng rng = new Rng(seed);
        Buf b = Buf.allocate(n);
        for (int i = 0; i < n; i++) {
            b.set(i, (float) rng.nextGaussian());
        }
        return b;
    }
}
