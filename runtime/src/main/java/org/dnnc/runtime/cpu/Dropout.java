package org.dnnc.runtime.cpu;

import java.nio.FloatBuffer;

/**
 * Inverted dropout for training: each element is kept with probability {@code 1 - p} and scaled by
 * {@code 1 / (1 - p)}, so inference (where the compiler removes dropout) needs no rescaling.
 *
 * <p>The mask is stored as floats, {@code 0} or {@code 1 / (1 - p)}, so that forward and backward
 * are each one multiply per element. Two decisions are drawn from each 64-bit random number, 24
 * bits each; an element is dropped when its bits fall below {@code round(p * 2^24)}.
 */
public final class Dropout {

    private Dropout() {}

    /**
     * Draws a fresh mask and sets {@code y = x * mask}; {@code y} may be {@code x}.
     *
     * @param p the drop probability, in {@code [0, 1)}
     */
    /**
     * Fills {@code mask} with 0 (probability {@code p}) or {@code 1 / (1 - p)}, drawing the same
     * random bits as {@link #forward}, for programs that multiply by the mask themselves.
     */
    public static void mask(Buf mask, int n, float p, Rng rng) {
        if (!(p >= 0f && p < 1f)) {
            throw new IllegalArgumentException("dropout probability must be in [0, 1), got " + p);
        }
        FloatBuffer ms = mask.data;
        float scale = 1f / (1f - p);
        long threshold = Math.round(p * (double) (1 << 24));
        int i = 0;
        for (; i + 1 < n; i += 2) {
            long bits = rng.nextLong();
            ms.put(i, ((bits >>> 40) & 0xFFFFFF) >= threshold ? scale : 0f);
            ms.put(i + 1, ((bits >>> 8) & 0xFFFFFF) >= threshold ? scale : 0f);
        }
        if (i < n) {
            ms.put(i, ((rng.nextLong() >>> 40) & 0xFFFFFF) >= threshold ? scale : 0f);
        }
    }

    public static void forward(Buf x, Buf y, Buf mask, int n, float p, Rng rng) {
        if (!(p >= 0f && p < 1f)) {
            throw new IllegalArgumentException("dropout probability must be in [0, 1), got " + p);
        }
        FloatBuffer xs = x.data;
        FloatBuffer ys = y.data;
        FloatBuffer ms = mask.data;
        float scale = 1f / (1f - p);
        long threshold = Math.round(p * (double) (1 << 24));
        int i = 0;
        for (; i + 1 < n; i += 2) {
            long bits = rng.nextLong();
            float m0 = ((bits >>> 40) & 0xFFFFFF) >= threshold ? scale : 0f;
            float m1 = ((bits >>> 8) & 0xFFFFFF) >= threshold ? scale : 0f;
            ms.put(i, m0);
            ms.put(i + 1, m1);
            ys.put(i, xs.get(i) * m0);
            ys.put(i + 1, xs.get(i + 1) * m1);
        }
        if (i < n) {
            float m0 = ((rng.nextLong() >>> 40) & 0xFFFFFF) >= threshold ? scale : 0f;
            ms.put(i, m0);
            ys.put(i, xs.get(i) * m0);
        }
    }

    /** {@code dx = dy * mask} with the mask of the matching forward; {@code dx} may be {@code dy}. */
    public static void backward(Buf dy, Buf mask, Buf dx, int n) {
        Elementwise.mul(dy, mask, dx, n);
    }
}
