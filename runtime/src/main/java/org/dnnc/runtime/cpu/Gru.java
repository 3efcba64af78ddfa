package org.dnnc.runtime.cpu;

import java.nio.FloatBuffer;

/**
 * The arithmetic of the GRU cell (gates {@code r, z, n}, the reset applied after the hidden matmul
 * as in PyTorch and cuDNN) for one example at one step, on rows of a {@link Recurrent} workspace
 * (every argument named for a row is its offset in {@code w}), staged in {@link CellRows}. Forward
 * saves the three gate activations and {@code W_hn h + b_hn}, which the reset gate's gradient needs.
 */
final class Gru {
    private Gru() {}

    /**
     * {@code r = σ(xg_r + hg_r + b_hr)}, {@code z = σ(xg_z + hg_z + b_hz)}, {@code n = tanh(xg_n +
     * r (hg_n + b_hn))}, {@code h' = (1 - z) n + z h}, where {@code xg} holds {@code W_ih x + b_ih}
     * and {@code hg} holds {@code W_hh h}. Only with {@code save} (training) are the gates and
     * {@code W_hn h + b_hn} written, to {@code act} and {@code hn}.
     */
    static void forward(FloatBuffer w, FloatBuffer bHh, int hidden, int xg, int hg, int act, int hn, int hPrev,
            int hCur, boolean save) {
        int gh = 3 * hidden;
        CellRows rows = CellRows.get(gh, hidden);
        float[] x = rows.gates;
        float[] hs = rows.other;
        float[] b = rows.bias;
        float[] h = rows.h;
        w.get(xg, x, 0, gh);
        w.get(hg, hs, 0, gh);
        bHh.get(0, b, 0, gh);
        w.get(hPrev, h, 0, hidden);
        for (int j = 0; j < hidden; j++) {
            float r = Lstm.sigmoid(x[j] + hs[j] + b[j]);
            float z = Lstm.sigmoid(x[hidden + j] + hs[hidden + j] + b[hidden + j]);
            float hidNew = hs[2 * hidden + j] + b[2 * hidden + j];
            float n = Lstm.tanh(x[2 * hidden + j] + r * hidNew);
            x[j] = r;
            x[hidden + j] = z;
            x[2 * hidden + j] = n;
            hs[2 * hidden + j] = hidNew;
            h[j] = (1f - z) * n + z * h[j];
        }
        w.put(hCur, h, 0, hidden);
        if (save) {
            w.put(act, x, 0, gh);
            w.put(hn, hs, 2 * hidden, hidden);
        }
    }

    /**
     * The gates' pre-activation gradients from {@code dh}: into {@code dxg} for the input side, and
     * over the saved activations for the hidden side, which differs in the {@code n} block by the
     * factor {@code r}. {@code dh} becomes the direct path to the previous state, {@code dh z}, to
     * which the recurrent GEMM adds.
     */
    static void backward(FloatBuffer w, int hidden, int act, int hn, int hPrev, int dh, int dxg) {
        int gh = 3 * hidden;
        CellRows rows = CellRows.get(gh, hidden);
        float[] a = rows.gates;
        float[] dx = rows.other;
        float[] hns = rows.c;
        float[] hp = rows.d;
        float[] d = rows.dh;
        w.get(act, a, 0, gh);
        w.get(hn, hns, 0, hidden);
        w.get(hPrev, hp, 0, hidden);
        w.get(dh, d, 0, hidden);
        for (int j = 0; j < hidden; j++) {
            float r = a[j];
            float z = a[hidden + j];
            float n = a[2 * hidden + j];
            float dhj = d[j];
            float dnPre = dhj * (1f - z) * (1f - n * n);
            float drPre = dnPre * hns[j] * r * (1f - r);
            float dzPre = dhj * (hp[j] - n) * z * (1f - z);
            dx[j] = drPre;
            dx[hidden + j] = dzPre;
            dx[2 * hidden + j] = dnPre;
            a[j] = drPre;
            a[hidden + j] = dzPre;
            a[2 * hidden + j] = dnPre * r;
            d[j] = dhj * z;
        }
        w.put(dxg, dx, 0, gh);
        w.put(act, a, 0, gh);
        w.put(dh, d, 0, hidden);
    }
}
