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

    /** {@code y[n, c] = mean(x[n, c, :])}. */
    public static void forward(Buf x, Buf y, int batch, int channels, int spatial) {
        float[] plane = Staging.get().floats(PLANE, spatial);
        FloatBuffer xs = x.data;
        FloatBuffer ys = y.data;
        double inv = 1.0 / spatial;
        int planes = batch * channels;
        for (int i = 0; i < planes; i++) {
            xs.get(i * spatial, plane, 0, spatial);
            double sum = 0;
            for (int p = 0; p < spatial; p++) {
                sum += plane[p];
            }
            ys.put(i, (float) (sum * inv));
        }
    }

    /** {@code dx[n, c, :] = dy[n, c] / spatial} ({@code +=} when {@code accumulate}). */
    public static void backward(Buf dy, Buf dx, int batch, int channels, int spatial, boolean accumulate) {
        float[] plane = Staging.get().floats(PLANE, spatial);
        FloatBuffer dys = dy.data;
        FloatBuffer dxs = dx.data;
        int planes = batch * channels;
        for (int i = 0; i < planes; i++) {
            float share = dys.get(i) / spatial; // as PyTorch: a division, not a product with 1 / spatial
            if (accumulate) {
                dxs.get(i * spatial, plane, 0, spatial);
                for (int p = 0; p < spatial; p++) {
                    plane[p] += share;
                }
            } else {
                Arrays.fill(plane, 0, spatial, share);
            }
            dxs.put(i * spatial, plane, 0, spatial);
        }
    }
}
