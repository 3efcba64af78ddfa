package org.dnnc.runtime.cpu;

import java.nio.FloatBuffer;

/**
 * Softmax and log-softmax over the last axis of a {@code rows x cols} row-major tensor, forward and
 * backward. Numerically stable: the row maximum is subtracted before {@code exp}; sums are kept in
 * {@code double}. {@code x} and {@code y} (and {@code dy} and {@code dx}) may be the same view.
 */
public final class Softmax {

    private Softmax() {}

    /** {@code y[r, :] = exp(x[r, :] - max) / sum(exp(x[r, :] - max))}. */
    public static void forward(Buf x, Buf y, int rows, int cols) {
        FloatBuffer xs = x.data;
        FloatBuffer ys = y.data;
        for (int r = 0, o = 0; r < rows; r++, o += cols) {
            float max = rowMax(xs, o, cols);
            double sum = 0;
            for (int c = 0; c < cols; c++) {
                float e = (float) Math.exp(xs.get(o + c) - max);
                ys.put(o + c, e);
                sum += e;
            }
            float inv = (float) (1.0 / sum);
            for (int c = 0; c < cols; c++) {
                ys.put(o + c, ys.get(o + c) * inv);
            }
        }
    }

    /** {@code dx = y * (dy - sum(dy * y))} per row, from the saved output {@code y}. */
    public static void backward(Buf y, Buf dy, Buf dx, int rows, int cols) {
        FloatBuffer ys = y.data;
        FloatBuffer dys = dy.data;
        FloatBuffer dxs = dx.data;
        for (int r = 0, o = 0; r < rows; r++, o += cols) {
            double dot = 0;
            for (int c = 0; c < cols; c++) {
                dot += (double) dys.get(o + c) * ys.get(o + c);
            }
            float d = (float) dot;
            for (int c = 0; c < cols; c++) {
                dxs.put(o + c, ys.get(o + c) * (dys.get(o + c) - d));
            }
        }
    }

    /** {@code y[r, :] = x[r, :] - max - log(sum(exp(x[r, :] - max)))}. */
    public static void logForward(Buf x, Buf y, int rows, int cols) {
        FloatBuffer xs = x.data;
        FloatBuffer ys = y.data;
        for (int r = 0, o = 0; r < rows; r++, o += cols) {
            float max = rowMax(xs, o, cols);
            double sum = 0;
            for (int c = 0; c < cols; c++) {
                sum += Math.exp(xs.get(o + c) - max);
            }
            float shift = max + (float) Math.log(sum);
            for (int c = 0; c < cols; c++) {
                ys.put(o + c, xs.get(o + c) - shift);
            }
        }
    }

    /** {@code dx = dy - exp(y) * sum(dy)} per row, from the saved output {@code y}. */
    public static void logBackward(Buf y, Buf dy, Buf dx, int rows, int cols) {
        FloatBuffer ys = y.data;
        FloatBuffer dys = dy.data;
        FloatBuffer dxs = dx.data;
        for (int r = 0, o = 0; r < rows; r++, o += cols) {
            double sum = 0;
            for (int c = 0; c < cols; c++) {
                sum += dys.get(o + c);
            }
            float s = (float) sum;
            for (int c = 0; c < cols; c++) {
                dxs.put(o + c, dys.get(o + c) - (float) Math.exp(ys.get(o + c)) * s);
            }
        }
    }

    static float rowMax(FloatBuffer xs, int o, int cols) {
        float max = Float.NEGATIVE_INFINITY;
        for (int c = 0; c < cols; c++) {
            max = Math.max(max, xs.get(o + c));
        }
        return max;
    }
}
