package org.dnnc.runtime.cpu;

import java.util.Arrays;

/**
 * {@link BatchNormPool}'s per-example work for 2x2 windows of stride 2 on an example in {@link
 * Layout#NCHW16C}: a block's 16 channels side by side, so each window is four runs of 16 floats and
 * no channel's plane is gathered. The arithmetic is the NCHW path's, value for value (the window's
 * maximum of x, or of -x where the scale is negative, then the activation; backward, the first
 * maximum of the activations takes the gradient where it is positive), so either layout gives the
 * same floats. Rows and columns past the last window (a 7x7 map) get no gradient.
 */
final class BlockedPool {
    private static final int L = Layout.BLOCK;

    private BlockedPool() {}

    /**
     * Pools example row {@code x} into {@code pooled} ({@code [C, oh*ow]} in {@code out}'s layout),
     * with {@code sign[c]} 1 or -1 as the channel's scale is and {@code scale[c]} its magnitude.
     */
    static void forward(PoolGeometry g, float[] x, float[] sign, float[] scale, float[] shift, float[] pooled,
            Layout out) {
        int width = g.width();
        int spatial = g.height() * width;
        int oh = g.outHeight();
        int ow = g.outWidth();
        int opos = oh * ow;
        for (int cb = 0; cb < g.channels(); cb += L) {
            int block = cb * spatial;
            for (int oy = 0; oy < oh; oy++) {
                for (int ox = 0; ox < ow; ox++) {
                    int a = block + (2 * oy * width + 2 * ox) * L;
                    int b = a + L;
                    int c = a + width * L;
                    int d = c + L;
                    int o = oy * ow + ox;
                    for (int l = 0; l < L; l++) {
                        int ch = cb + l;
                        float sg = sign[ch];
                        float max = Math.max(Math.max(x[a + l] * sg, x[b + l] * sg),
                                Math.max(x[c + l] * sg, x[d + l] * sg));
                        float v = Math.max(max * scale[ch] + shift[ch], 0f);
                        pooled[out == Layout.NCHW ? ch * opos + o : (cb * opos + o * L) + l] = v;
                    }
                }
            }
        }
    }

    /**
     * Writes into {@code masked} (an example row in {@link Layout#NCHW16C}) the gradient {@code dp}
     * ({@code [C, oh*ow]} in {@code out}'s layout) sent to each window's first maximum of {@code y =
     * max(x * scale + shift, 0)} where that is positive, and 0 elsewhere.
     */
    static void backward(PoolGeometry g, float[] x, float[] scale, float[] shift, float[] dp, Layout out,
            float[] masked) {
        int width = g.width();
        int spatial = g.height() * width;
        int oh = g.outHeight();
        int ow = g.outWidth();
        int opos = oh * ow;
        if (2 * oh != g.height() || 2 * ow != width) {
            Arrays.fill(masked, 0, g.channels() * spatial, 0f);
        }
        for (int cb = 0; cb < g.channels(); cb += L) {
            int block = cb * spatial;
            for (int oy = 0; oy < oh; oy++) {
                for (int ox = 0; ox < ow; ox++) {
                    int a = block + (2 * oy * width + 2 * ox) * L;
                    int b = a + L;
                    int c = a + width * L;
                    int d = c + L;
                    int o = oy * ow + ox;
                    for (int l = 0; l < L; l++) {
                        int ch = cb + l;
                        float s = scale[ch];
                        float t = shift[ch];
                        float ya = Math.max(x[a + l] * s + t, 0f);
                        float yb = Math.max(x[b + l] * s + t, 0f);
                        float yc = Math.max(x[c + l] * s + t, 0f);
                        float yd = Math.max(x[d + l] * s + t, 0f);
                        float max = Math.max(Math.max(ya, yb), Math.max(yc, yd));
                        float grad = dp[out == Layout.NCHW ? ch * opos + o : (cb * opos + o * L) + l];
                        int bits = Float.floatToRawIntBits(Pool2d.reluGate(max == max ? max : yd, grad));
                        int ea = ya == max ? -1 : 0;
                        int eb = (yb == max ? -1 : 0) & ~ea;
                        int ec = (yc == max ? -1 : 0) & ~(ea | eb);
                        int ed = ~(ea | eb | ec);
                        masked[a + l] = Float.intBitsToFloat(bits & ea);
                        masked[b + l] = Float.intBitsToFloat(bits & eb);
                        masked[c + l] = Float.intBitsToFloat(bits & ec);
                        masked[d + l] = Float.intBitsToFloat(bits & ed);
                    }
                }
            }
        }
    }
}
