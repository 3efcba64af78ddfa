package org.dnnc.runtime.cpu;

import java.nio.FloatBuffer;

/**
 * Layer normalization over the last axis of a {@code rows x cols} row-major tensor, PyTorch's
 * {@code F.layer_norm(x, (cols,), gamma, beta, eps)}: each row is normalized with its own mean and
 * biased variance, {@code y = (x - mean) / sqrt(var + eps) * gamma + beta}, with {@code gamma} and
 * {@code beta} of size {@code cols}. A sequence {@code [N, T, F]} is {@code rows = N*T, cols = F}.
 *
 * <p>Rows are staged on the heap; row sums are kept in {@code double}. No scratch view is needed and
 * nothing is allocated per call. {@code y} may be {@code x}, and {@code dx} may be {@code dy}.
 */
public final class LayerNorm {

    private static final int X = 0;
    private static final int DY = 1;
    private static final int OUT = 2;
    private static final int GAMMA = 3;
    private static final int BETA = 4;

    private LayerNorm() {}

    /**
     * {@code y = layer_norm(x)}; {@code saveMean} and {@code saveInvStd} ({@code [rows]}) receive each
     * row's mean and {@code 1 / sqrt(var + eps)} for backward, or are skipped when {@code null}.
     */
    public static void forward(Buf x, Buf gamma, Buf beta, Buf y, Buf saveMean, Buf saveInvStd, int rows, int cols,
            float eps) {
        Staging s = Staging.get();
        float[] t = s.floats(X, cols);
        float[] out = s.floats(OUT, cols);
        float[] gs = s.floats(GAMMA, cols);
        float[] bs = s.floats(BETA, cols);
        gamma.data.get(0, gs, 0, cols);
        beta.data.get(0, bs, 0, cols);
        FloatBuffer xs = x.data;
        FloatBuffer ys = y.data;
        for (int r = 0, o = 0; r < rows; r++, o += cols) {
            xs.get(o, t, 0, cols);
            float mean = mean(t, cols);
            float invStd = invStd(t, cols, mean, eps);
            if (saveMean != null) {
                saveMean.data.put(r, mean);
            }
            if (saveInvStd != null) {
                saveInvStd.data.put(r, invStd);
            }
            for (int c = 0; c < cols; c++) {
                out[c] = (t[c] - mean) * invStd * gs[c] + bs[c];
            }
            ys.put(o, out, 0, cols);
        }
    }

    /**
     * The gradients of {@link #forward}: with {@code xhat = (x - mean) invStd} and {@code g = dy *
     * gamma} per row, {@code dx = invStd (g - mean(g) - xhat mean(g xhat))}; {@code dgamma = sum over
     * rows of dy xhat}, {@code dbeta = sum over rows of dy}.
     *
     * <p>{@code saveMean} and {@code saveInvStd} are what forward saved; when both are {@code null}
     * they are recomputed from {@code x} with {@code eps}. Any of {@code dx}, {@code dgamma}, {@code
     * dbeta} may be {@code null}, and {@code gamma} too when {@code dx} is; {@code accumulateInput}
     * adds to {@code dx}, {@code accumulateParams} to {@code dgamma} and {@code dbeta}. {@code dx}
     * may be {@code dy}.
     */
    public static void backward(Buf x, Buf dy, Buf gamma, Buf saveMean, Buf saveInvStd, Buf dx, Buf dgamma, Buf dbeta,
            int rows, int cols, float eps, boolean accumulateInput, boolean accumulateParams) {
        Staging s = Staging.get();
        float[] t = s.floats(X, cols);
        float[] g = s.floats(DY, cols);
        float[] out = s.floats(OUT, cols);
        float[] gs = s.floats(GAMMA, cols);
        if (dx != null) {
            gamma.data.get(0, gs, 0, cols);
        }
        double[] sumGamma = s.zeroDoubles(0, cols);
        double[] sumBeta = s.zeroDoubles(1, cols);
        boolean recompute = saveMean == null && saveInvStd == null;
        FloatBuffer xs = x.data;
        FloatBuffer dys = dy.data;
        for (int r = 0, o = 0; r < rows; r++, o += cols) {
            xs.get(o, t, 0, cols);
            dys.get(o, g, 0, cols);
            float mean;
            float invStd;
            if (recompute) {
                mean = mean(t, cols);
                invStd = invStd(t, cols, mean, eps);
            } else {
                mean = saveMean.data.get(r);
                invStd = saveInvStd.data.get(r);
            }
            for (int c = 0; c < cols; c++) {
                float xhat = (t[c] - mean) * invStd;
                t[c] = xhat;
                sumGamma[c] += g[c] * xhat;
                sumBeta[c] += g[c];
            }
            if (dx != null) {
                double sumG = 0;
                double sumGX = 0;
                for (int c = 0; c < cols; c++) {
                    float gc = g[c] * gs[c];
                    sumG += gc;
                    sumGX += gc * t[c];
                }
                float a = (float) (sumG / cols);
                float b = (float) (sumGX / cols);
                if (accumulateInput) {
                    dx.data.get(o, out, 0, cols);
                    for (int c = 0; c < cols; c++) {
                        out[c] += invStd * (g[c] * gs[c] - a - t[c] * b);
                    }
                } else {
                    for (int c = 0; c < cols; c++) {
                        out[c] = invStd * (g[c] * gs[c] - a - t[c] * b);
                    }
                }
                dx.data.put(o, out, 0, cols);
            }
        }
        for (int c = 0; c < cols; c++) {
            if (dgamma != null) {
                float v = (float) sumGamma[c];
                dgamma.data.put(c, accumulateParams ? dgamma.data.get(c) + v : v);
            }
            if (dbeta != null) {
                float v = (float) sumBeta[c];
                dbeta.data.put(c, accumulateParams ? dbeta.data.get(c) + v : v);
            }
        }
    }

    private static float mean(float[] t, int cols) {
        double sum = 0;
        for (int c = 0; c < cols; c++) {
            sum += t[c];
        }
        return (float) (sum / cols);
    }

    /** {@code 1 / sqrt(var + eps)} with the biased variance around {@code mean} (two-pass). */
    private static float invStd(float[] t, int cols, float mean, float eps) {
        double sq = 0;
        for (int c = 0; c < cols; c++) {
            double d = t[c] - mean;
            sq += d * d;
        }
        return (float) (1.0 / Math.sqrt(sq / cols + eps));
    }
}
