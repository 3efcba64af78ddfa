package org.dnnc.runtime.cpu;

import java.nio.FloatBuffer;

/**
 * The arithmetic of the LSTM cell (gates {@code i, f, g, o}, PyTorch's order) for one example at one
 * step, on rows of a {@link Recurrent} workspace (every argument named for a row is its offset in
 * {@code w}). Forward saves the four gate activations and the cell state; backward recomputes
 * {@code tanh(c)} from the saved cell state instead of storing it.
 */
final class Lstm {
    private Lstm() {}

    /**
     * Gates from {@code xg} ({@code W_ih x + b_ih}), {@code hg} ({@code W_hh h}) and {@code b_hh};
     * {@code c' = f c + i g} and {@code h' = o tanh(c')}.
     */
    static void forward(FloatBuffer w, FloatBuffer bHh, int hidden, int xg, int hg, int act, int cPrev, int cCur,
            int hCur) {
        for (int j = 0; j < hidden; j++) {
            float i = sigmoid(w.get(xg + j) + w.get(hg + j) + bHh.get(j));
            float f = sigmoid(w.get(xg + hidden + j) + w.get(hg + hidden + j) + bHh.get(hidden + j));
            float g = tanh(w.get(xg + 2 * hidden + j) + w.get(hg + 2 * hidden + j)
                    + bHh.get(2 * hidden + j));
            float o = sigmoid(w.get(xg + 3 * hidden + j) + w.get(hg + 3 * hidden + j) + bHh.get(3 * hidden + j));
            float c = f * w.get(cPrev + j) + i * g;
            w.put(act + j, i);
            w.put(act + hidden + j, f);
            w.put(act + 2 * hidden + j, g);
            w.put(act + 3 * hidden + j, o);
            w.put(cCur + j, c);
            w.put(hCur + j, o * tanh(c));
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
        for (int j = 0; j < hidden; j++) {
            float i = w.get(act + j);
            float f = w.get(act + hidden + j);
            float g = w.get(act + 2 * hidden + j);
            float o = w.get(act + 3 * hidden + j);
            float tc = tanh(w.get(cCur + j));
            float dhj = w.get(dh + j);
            float dct = w.get(dc + j) + dhj * o * (1f - tc * tc);
            float di = dct * g * i * (1f - i);
            float df = dct * w.get(cPrev + j) * f * (1f - f);
            float dg = dct * i * (1f - g * g);
            float dout = dhj * tc * o * (1f - o);
            w.put(act + j, di);
            w.put(act + hidden + j, df);
            w.put(act + 2 * hidden + j, dg);
            w.put(act + 3 * hidden + j, dout);
            w.put(dxg + j, di);
            w.put(dxg + hidden + j, df);
            w.put(dxg + 2 * hidden + j, dg);
            w.put(dxg + 3 * hidden + j, dout);
            w.put(dc + j, dct * f);
            w.put(dh + j, 0f);
        }
    }

    /**
     * {@code tanh(v)} rounded to a float, from {@link Math#exp} (a JIT intrinsic) in double: {@link
     * Math#tanh} is a native call on JDK 17 and held about half of the samples of the {@code
     * lstm_lm} benchmark's main thread. The double's relative error, about 1e-16 (near 0 the
     * cancellation in {@code 1 - e} grows it to at most 1e-12, and below 1e-4, where {@code tanh(v)
     * = v} within 4e-9, {@code v} itself is returned), is far under a float's half ulp, so the float
     * is {@link Math#tanh}'s but for rare roundings.
     */
    static float tanh(float v) {
        double a = Math.abs((double) v);
        if (a < 1e-4) {
            return v;
        }
        double e = Math.exp(-2 * a);
        return (float) Math.copySign((1 - e) / (1 + e), v);
    }

    static float sigmoid(float v) {
        return (float) (1 / (1 + Math.exp(-v)));
    }
}
