package org.dnnc.runtime.cpu;

import java.nio.FloatBuffer;

/**
 * Element-wise arithmetic on views of equal size, forward and backward, and the small helpers
 * generated code needs to move gradients around (copy, accumulate, fill, scale). Any output may be
 * the same view as an input: every element is read before it is written. Sums, differences and
 * products run through {@link ElementwiseChain}: in heap chunks, and on two threads for large views.
 */
public final class Elementwise {

    private static final ElementwiseChain.Body ADD = (in, out, from, length) -> {
        float[] a = in[0];
        float[] b = in[1];
        for (int j = 0; j < length; j++) {
            out[j] = a[j] + b[j];
        }
    };

    private static final ElementwiseChain.Body SUB = (in, out, from, length) -> {
        float[] a = in[0];
        float[] b = in[1];
        for (int j = 0; j < length; j++) {
            out[j] = a[j] - b[j];
        }
    };

    private static final ElementwiseChain.Body MUL = (in, out, from, length) -> {
        float[] a = in[0];
        float[] b = in[1];
        for (int j = 0; j < length; j++) {
            out[j] = a[j] * b[j];
        }
    };

    private Elementwise() {}

    /** {@code y = a + b}. */
    public static void add(Buf a, Buf b, Buf y, int n) {
        ElementwiseChain.run(ADD, 0, 0, y, n, a, b);
    }

    /**
     * Gradients of {@code y = a + b}: {@code da = dy}, {@code db = dy}. Either output may be {@code
     * null} (not needed) or {@code dy} itself (nothing to do), which is what a compiler should
     * prefer.
     */
    public static void addBackward(Buf dy, Buf da, Buf db, int n) {
        if (da != null) {
            copy(dy, da, n);
        }
        if (db != null) {
            copy(dy, db, n);
        }
    }

    /** {@code y = a - b}. */
    public static void sub(Buf a, Buf b, Buf y, int n) {
        ElementwiseChain.run(SUB, 0, 0, y, n, a, b);
    }

    /** {@code y = a * b}. */
    public static void mul(Buf a, Buf b, Buf y, int n) {
        ElementwiseChain.run(MUL, 0, 0, y, n, a, b);
    }

    /** Gradients of {@code y = a * b}: {@code da = dy * b}, {@code db = dy * a}; either may be {@code null}. */
    public static void mulBackward(Buf a, Buf b, Buf dy, Buf da, Buf db, int n) {
        FloatBuffer as = a.data;
        FloatBuffer bs = b.data;
        FloatBuffer dys = dy.data;
        if (da != null && db != null) {
            FloatBuffer das = da.data;
            FloatBuffer dbs = db.data;
            for (int i = 0; i < n; i++) {
                float g = dys.get(i);
                float ai = as.get(i);
                float bi = bs.get(i);
                das.put(i, g * bi);
                dbs.put(i, g * ai);
            }
        } else if (da != null) {
            mul(dy, b, da, n);
        } else if (db != null) {
            mul(dy, a, db, n);
        }
    }

    /** {@code dst = src} (a {@code memcpy}); nothing to do when they are the same view. */
    public static void copy(Buf src, Buf dst, int n) {
        if (src.data != dst.data) {
            dst.data.put(0, src.data, 0, n);
        }
    }

    /** {@code dst += src}: sums the gradients of a value used more than once. */
    public static void accumulate(Buf dst, Buf src, int n) {
        ElementwiseChain.run(ADD, 0, 0, dst, n, dst, src);
    }

    /** {@code dst[i] = value}. */
    public static void fill(Buf dst, int n, float value) {
        FloatBuffer ds = dst.data;
        for (int i = 0; i < n; i++) {
            ds.put(i, value);
        }
    }

    /** {@code dst *= s}. */
    public static void scale(Buf dst, int n, float s) {
        FloatBuffer ds = dst.data;
        for (int i = 0; i < n; i++) {
            ds.put(i, ds.get(i) * s);
        }
    }

    /**
     * {@code y[n, c, p] = x[n, c, p] + bias[c]} over {@code [batch, channels, spatial]}: a bias along
     * the channel axis of a feature map (a convolution whose epilogue could not take it). {@code y}
     * may be {@code x}.
     */
    public static void addChannelBias(Buf x, Buf bias, Buf y, int batch, int channels, int spatial) {
        FloatBuffer xs = x.data;
        FloatBuffer ys = y.data;
        int i = 0;
        for (int n = 0; n < batch; n++) {
            for (int c = 0; c < channels; c++) {
                float b = bias.data.get(c);
                for (int end = i + spatial; i < end; i++) {
                    ys.put(i, xs.get(i) + b);
                }
            }
        }
    }
}
