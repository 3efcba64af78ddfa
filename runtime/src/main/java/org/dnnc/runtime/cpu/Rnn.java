package org.dnnc.runtime.cpu;

import java.nio.FloatBuffer;

/**
 * The arithmetic of the plain recurrent cell for one example at one step, on rows of a {@link
 * Recurrent} workspace (every argument named for a row is its offset in {@code w}), staged in
 * {@link CellRows}. The saved activation is the new state itself, from which both derivatives
 * follow.
 */
final class Rnn {
    private Rnn() {}

    /**
     * {@code h' = act(xg + hg + b_hh)}, where {@code xg} already holds {@code W_ih x + b_ih} and
     * {@code hg} holds {@code W_hh h}; the result goes to the new state and, only with {@code save}
     * (training), to the saved activations.
     */
    static void forward(FloatBuffer w, FloatBuffer bHh, int hidden, boolean relu, int xg, int hg, int act,
            int hCur, boolean save) {
        CellRows rows = CellRows.get(hidden, hidden);
        float[] x = rows.gates;
        float[] hs = rows.other;
        float[] b = rows.bias;
        w.get(xg, x, 0, hidden);
        w.get(hg, hs, 0, hidden);
        bHh.get(0, b, 0, hidden);
        for (int j = 0; j < hidden; j++) {
            float v = x[j] + hs[j] + b[j];
            x[j] = relu ? Math.max(v, 0f) : Lstm.tanh(v);
        }
        w.put(hCur, x, 0, hidden);
        if (save) {
            w.put(act, x, 0, hidden);
        }
    }

    /**
     * The pre-activation gradient {@code dh * act'}, written over the saved activation (the
     * recurrent gradient) and into the input gradient row {@code dxg}. The state has no other path
     * back, so {@code dh} is cleared for the recurrent GEMM to fill.
     */
    static void backward(FloatBuffer w, int hidden, boolean relu, int act, int dh, int dxg) {
        CellRows rows = CellRows.get(hidden, hidden);
        float[] a = rows.gates;
        float[] d = rows.dh;
        w.get(act, a, 0, hidden);
        w.get(dh, d, 0, hidden);
        for (int j = 0; j < hidden; j++) {
            float v = a[j];
            a[j] = d[j] * (relu ? (v > 0f ? 1f : 0f) : 1f - v * v);
            d[j] = 0f;
        }
        w.put(act, a, 0, hidden);
        w.put(dxg, a, 0, hidden);
        w.put(dh, d, 0, hidden);
    }
}
