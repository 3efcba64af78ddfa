package org.dnnc.runtime.cpu;

import java.nio.FloatBuffer;

/**
 * The arithmetic of the GRU cell (gates {@code r, z, n}, the reset applied after the hidden matmul
 * as in PyTorch and cuDNN) for one example at one step, on rows of a {@link Recurrent} workspace
 * (every argument named for a row is its offset in {@code w}). Forward saves the three gate
 * activations and {@code W_hn h + b_hn}, which the reset gate's gradient needs.
 */
final class Gru {
    private Gru() {}

    /**
     * {@code r = σ(xg_r + hg_r + b_hr)}, {@code z = σ(xg_z + hg_z + b_hz)}, {@code n = tanh(xg_n +
     * r (hg_n + b_hn))}, {@code h' = (1 - z) n + z h}, where {@code xg} holds {@code W_ih x + b_ih}
     * and {@code hg} holds {@code W_hh h}.
     */
    static void forward(FloatBuffer w, FloatBuffer bHh, int hidden, int xg, int hg, int act, int hn, int hPrev,
            int hCur) {
        for (int j = 0; j < hidden; j++) {
            float r = Lstm.sigmoid(w.get(xg + j) + w.get(hg + j) + bHh.get(j));
            float z = Lstm.sigmoid(w.get(xg + hidden + j) + w.get(hg + hidden + j) + bHh.get(hidden + j));
            float hidNew = w.get(hg + 2 * hidden + j) + bHh.get(2 * hidden + j);
            float n = Lstm.tanh(w.get(xg + 2 * hidden + j) + r * hidNew);
            w.put(act + j, r);
            w.put(act + hidden + j, z);
            w.put(act + 2 * hidden + j, n);
            w.put(hn + j, hidNew);
            w.put(hCur + j, (1f - z) * n + z * w.get(hPrev + j));
        }
    }

    /**
     * The gates' pre-activation gradients from {@code dh}: into {@code dxg} for the input side, and
     * over the saved activations for the hidden side, which differs in the {@code n} block by the
     * factor {@code r}. {@code dh} becomes the direct path to the previous state, {@code dh z}, to
     * which the recurrent GEMM adds.
     */
    static void backward(FloatBuffer w, int hidden, int act, int hn, int hPrev, int dh, int dxg) {
        for (int j = 0; j < hidden; j++) {
            float r = w.get(act + j);
            float z = w.get(act + hidden + j);
            float n = w.get(act + 2 * hidden + j);
            float dhj = w.get(dh + j);
            float dnPre = dhj * (1f - z) * (1f - n * n);
            float drPre = dnPre * w.get(hn + j) * r * (1f - r);
            float dzPre = dhj * (w.get(hPrev + j) - n) * z * (1f - z);
            w.put(dxg + j, drPre);
            w.put(dxg + hidden + j, dzPre);
            w.put(dxg + 2 * hidden + j, dnPre);
            w.put(act + j, drPre);
            w.put(act + hidden + j, dzPre);
            w.put(act + 2 * hidden + j, dnPre * r);
            w.put(dh + j, dhj * z);
        }
    }
}
