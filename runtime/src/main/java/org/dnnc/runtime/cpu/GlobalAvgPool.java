package org.dnnc.runtime.cpu;

import java.nio.FloatBuffer;
import java.util.Arrays;

/**
 * Global average pooling: {@code x [N, C, H, W]} to {@code y [N, C]}, the mean of each plane, and its
 * gradient, each plane's {@code dy} spread evenly over the plane. {@code spatial} is {@code H * W}
 * (any trailing shape works: the kernel only sees planes). Sums are kept in {@code double}.
 */
public final class GlobalAvgPool {

    private static final int PLANE = 0;

    private GlobalAvgPool() {}

    /**
     * Floats moved between a view and the heap at once: many planes per call, since one call per
     * plane (16 floats on a 4x4 map) costs more than the sum.
     */
    private static final int BLOCK = 4096;

    /** {@code y[n, c] = mean(x[n, c, :])}. */
    public static void forward(Buf x, Buf y, int batch, int channels, int spatial) {
        int perBlock = Math.max(1, BLOCK / spatial);
        float[] block = Staging.get().floats(PLANE, perBlock * spatial);
        FloatBuffer xs = x.data;
        FloatBuffer ys = y.data;
        double inv = 1.0 / spatial;
        int planes = batch * channels;
        for (int first = 0; first < planes; first += perBlock) {
            int count = Math.min(perBlock, planes - first);
            xs.get(first * spatial, block, 0, count * spatial);
            for (int i = 0; i < count; i++) {
                // Two running sums halve the chain of dependent additions.
                double even = 0;
                double odd = 0;
                int p = i * spatial;
                int end = p + spatial;
                for (; p + 1 < end; p += 2) {
                    even += block[p];
                    odd += block[p + 1];
                }
                if (p < end) {
                    even += block[p];
                }
                ys.put(first + i, (float) ((even + odd) * inv));
            }
        }
    }

    /** {@code dx[n, c, :] = dy[n, c] / spatial} ({@code +=} when {@code accumulate}). */
    public static void backward(Buf dy, Buf dx, int batch, int channels, int spatial, boolean accumulate) {
        int perBlock = Math.max(1, BLOCK / spatial);
        float[] block = Staging.get().floats(PLANE, perBlock * spatial);
        FloatBuffer dys = dy.data;
        FloatBuffer dxs = dx.data;
        int planes = batch * channels;
        for (int first = 0; first < planes; first += perBlock) {
            int count = Math.min(perBlock, planes - first);
            if (accumulate) {
                dxs.get(first * spatial, block, 0, count * spatial);
            }
            for (int i = 0; i < count; i++) {
                float share = dys.get(first + i) / spatial; // as PyTorch: a division, not a product with 1 / spatial
                int from = i * spatial;
                if (accumulate) {
                    for (int p = from; p < from + spatial; p++) {
                        block[p] += share;
                    }
                } else {
                    Arrays.fill(block, from, from + spatial, share);
                }
            }
            dxs.put(first * spatial, block, 0, count * spatial);
        }
    }
}
