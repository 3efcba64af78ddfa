package org.dnnc.runtime.cpu;

import java.nio.FloatBuffer;

/**
 * The arithmetic of the LSTM cell (gates {@code i, f, g, o}, PyTorch's order) for one example at one
 * step, on rows of a {@link Recurrent} workspace (every argument named for a row is its offset in
 * {@code w}), staged in {@link CellRows}. Forward saves the four gate activations and the cell
 * state; backward recomputes {@code tanh(c)} from the saved cell state instead of storing it.
 */
final class Lstm {
    private Lstm() {}

    /**
     * Gates from {@code xg} ({@code W_ih x + b_ih}), {@code hg} ({@code W_hh h}) and {@code b_hh};
     * {@code c' = f c + i g} and {@code h' = o tanh(c')}. Only with {@code save} (training) are the
     * gates written, to {@code act}.
     */
    static void forward(FloatBuffer w, FloatBuffer bHh, int hidden, int xg, int hg, int act, int cPrev, int cCur,
            int hCur, boolean save) {
        int gh = 4 * hidden;
        CellRows rows = CellRows.get(gh, hidden);
        float[] x = rows.gates;
        float[] hs = rows.other;
        float[] b = rows.bias;
        float[] cs = rows.c;
        float[] h = rows.h;
        w.get(xg, x, 0, gh);
        w.get(hg, hs, 0, gh);
        bHh.get(0, b, 0, gh);
        w.get(cPrev, cs, 0, hidden);
        for (int j = 0; j < hidden; j++) {
            float i = sigmoid(x[j] + hs[j] + b[j]);
            float f = sigmoid(x[hidden + j] + hs[hidden + j] + b[hidden + j]);
            float g = tanh(x[2 * hidden + j] + hs[2 * hidden + j] + b[2 * hidden + j]);
            float o = sigmoid(x[3 * hidden + j] + hs[3 * hidden + j] + b[3 * hidden + j]);
            float c = f * cs[j] + i * g;
            x[j] = i;
            x[hidden + j] = f;
            x[2 * hidden + j] = g;
            x[3 * hidden + j] = o;
            cs[j] = c;
            h[j] = o * tanh(c);
        }
        w.put(cCur, cs, 0, hidden);
        w.put(hCur, h, 0, hidden);
        if (save) {
            w.put(act, x, 0, gh);
        }
    }

    /**
     * The gates' pre-activation gradients from {@code dh} and the carried {@code dc}, written over
     * the saved activations (the recurrent gradient) and into the input gradient row {@code dxg},
     * which are equal for this cell. {@code dc} becomes the previous step's ({@code dc f}); {@code dh}
     * is cleared for the recurrent GEMM to fill, as the previous state reaches this step only
     * through the gates.
     */
    static void backward(FloatBuffer w, int hidden, int act, int cPrev, int cCur, int dh, int dc, int dxg) {
        int gh = 4 * hidden;
        CellRows rows = CellRows.get(gh, hidden);
        float[] a = rows.gates;
        float[] cp = rows.c;
        float[] cc = rows.h;
        float[] d = rows.dh;
        float[] dcs = rows.d;
        w.get(act, a, 0, gh);
        w.get(cPrev, cp, 0, hidden);
        w.get(cCur, cc, 0, hidden);
        w.get(dh, d, 0, hidden);
        w.get(dc, dcs, 0, hidden);
        for (int j = 0; j < hidden; j++) {
            float i = a[j];
            float f = a[hidden + j];
            float g = a[2 * hidden + j];
            float o = a[3 * hidden + j];
            float tc = tanh(cc[j]);
            float dhj = d[j];
            float dct = dcs[j] + dhj * o * (1f - tc * tc);
            a[j] = dct * g * i * (1f - i);
            a[hidden + j] = dct * cp[j] * f * (1f - f);
            a[2 * hidden + j] = dct * i * (1f - g * g);
            a[3 * hidden + j] = dhj * tc * o * (1f - o);
            dcs[j] = dct * f;
            d[j] = 0f;
        }
        w.put(act, a, 0, gh);
        w.put(dxg, a, 0, gh);
        w.put(dc, dcs, 0, hidden);
        w.put(dh, d, 0, hidden);
    }

    /**
     * {@code tanh(v)} rounded to a float, from {@link Exp#exp} in double: {@link Math#tanh} is a
     * native call on JDK 17 and held about half of the samples of the {@code lstm_lm} benchmark's
     * main thread. The double's relative error, about 1e-15 (near 0 the cancellation in {@code 1 -
     * e} grows it to at most 1e-11, and below 1e-4, where {@code tanh(v) = v} within 4e-9, {@code v}
     * itself is returned), is far under a float's half ulp, so the float is {@link Math#tanh}'s but
     * for rare roundings.
     */
    static float tanh(float v) {
        double a = Math.abs((double) v);
        if (a < 1e-4) {
            return v;
        }
        double e = Exp.exp(-2 * a);
        return (float) Math.copySign((1 - e) / (1 + e), v);
    }

    /** {@code σ(v)} rounded to a float, from {@link Exp#exp} in double. */
    static float sigmoid(float v) {
        return (float) (1 / (1 + Exp.exp(-v)));
    }
}
