package org.dnnc.runtime.cpu;

/**
 * The package-private recurrent cells ({@link Rnn}, {@link Lstm}, {@link Gru}) opened to the CUDA
 * tests, which compare the device cells with them; arguments as there (row offsets into {@code w}).
 */
public final class CellTwins {

    private CellTwins() {}

    /** {@link Rnn#forward}, saving the activations its backward reads. */
    public static void rnnForward(Buf w, Buf bHh, int hidden, boolean relu, int xg, int hg, int act, int hCur) {
        Rnn.forward(w.data, bHh.data, hidden, relu, xg, hg, act, hCur, true);
    }

    /** {@link Rnn#backward}. */
    public static void rnnBackward(Buf w, int hidden, boolean relu, int act, int dh, int dxg) {
        Rnn.backward(w.data, hidden, relu, act, dh, dxg);
    }

    /** {@link Lstm#forward}, saving the activations its backward reads. */
    public static void lstmForward(Buf w, Buf bHh, int hidden, int xg, int hg, int act, int cPrev, int cCur, int hCur) {
        Lstm.forward(w.data, bHh.data, hidden, xg, hg, act, cPrev, cCur, hCur, true);
    }

    /** {@link Lstm#backward}. */
    public static void lstmBackward(Buf w, int hidden, int act, int cPrev, int cCur, int dh, int dc, int dxg) {
        Lstm.backward(w.data, hidden, act, cPrev, cCur, dh, dc, dxg);
    }

    /** {@link Gru#forward}, saving the activations its backward reads. */
    public static void gruForward(Buf w, Buf bHh, int hidden, int xg, int hg, int act, int hn, int hPrev, int hCur) {
        Gru.forward(w.data, bHh.data, hidden, xg, hg, act, hn, hPrev, hCur, true);
    }

    /** {@link Gru#backward}. */
    public static void gruBackward(Buf w, int hidden, int act, int hn, int hPrev, int dh, int dxg) {
        Gru.backward(w.data, hidden, act, hn, hPrev, dh, dxg);
    }
}
