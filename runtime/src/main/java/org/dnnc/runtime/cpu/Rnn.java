package org.dnnc.runtime.cpu;

import java.nio.FloatBuffer;

/**
 * The arithmetic of the plain recurrent cell for one example at one step, on rows of a {@link
 * Recurrent} workspace (every argument named for a row is its offset in {@code w}). The saved
 * activation is the new state itself, from which both derivatives follow.
 */
final class Rnn {
    private Rnn() {}

    /**
     * {@code h' = act(xg + hg + b_hh)}, where {@code xg} already holds {@code W_ih x + b_ih} and
     * {@code hg} holds {@code W_hh h}; the result goes to the saved activations and the new state.
     */
    static void forward(FloatBuffer w, FloatBuffer bHh, int hidden, boolean relu, int xg, int hg, int act,
            int hCur) {
        for (int j = 0; j < hidden; j++) {
            float v = w.get(xg + j) + w.get(hg + j) + bHh.get(j);
            float a = relu ? Math.max(v, 0f) : Lstm.tanh(v);
            w.put(act + j, a);
            w.put(hCur + j, a);
        }
    }

    /**
     * The pre-activation gradient {@code dh * act'}, written over the saved activation (the
     * recurrent gradient) and into the input gradient row {@code dxg}. The state has no other path
     * back, so {@code dh} is cleared for the recurrent GEMM to fill.
     */
    static void backward(FloatBuffer w, int hidden, boolean relu, int act, int dh, int dxg) {
        for (int j = 0; j < hidden; j++) {
            float a = w.get(act + j);
            float d = w.get(dh + j) * (relu ? (a > 0f ? 1f : 0f) : 1f - a * a);
            w.put(act + j, d);
            w.put(dxg + j, d);
            w.put(dh + j, 0f);
        }
    }
}
