package org.dnnc.runtime.cpu;

import java.nio.IntBuffer;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The recurrent kernels against PyTorch's outputs and gradients in {@code shared/golden}: each case's
 * sequence output, last states and the gradients of the input and every parameter, within the
 * case's tolerances (rtol 1e-4, atol 2e-5). Stacked and bidirectional layers are composed here from
 * single layers, as the compiler composes them.
 */
class GoldenRecurrentTest {

    @ParameterizedTest(name = "{0}")
    @CsvSource({"rnn_tanh, RNN_TANH", "lstm, LSTM", "gru, GRU", "lstm_lengths, LSTM", "gru_lengths, GRU"})
    void oneLayer(String name, RecurrentCell cell) {
        Golden g = Golden.load(name);
        int[] shape = g.npy(g.file("inputs", "x")).shape();
        int n = shape[0];
        RecurrentGeometry geometry = new RecurrentGeometry(cell, shape[1], shape[2], (int) g.attr("hidden"), false, true);
        IntBuffer lengths = g.files("inputs").containsKey("lengths") ? g.ints(g.file("inputs", "lengths")) : null;
        Layer layer = new Layer(g, geometry, n, "_l0");

        Buf x = g.buf("inputs", "x");
        layer.forward(x, lengths);
        g.check("y", layer.y, g.file("outputs", "y"));
        Buf h = Buf.allocate(n * geometry.hidden());
        Buf c = Buf.allocate(n * geometry.hidden());
        Recurrent.lastState(geometry, layer.workspace, n, h, c);
        g.check("h_n", h, g.file("outputs", "h_n"));
        if (g.files("outputs").containsKey("c_n")) {
            g.check("c_n", c, g.file("outputs", "c_n"));
        }

        // The lengths cases' loss is sum(y * dy) + 0.5 * sum(h_n): the last state gets 0.5 everywhere.
        Buf dhLast = null;
        if (lengths != null) {
            dhLast = Buf.allocate(n * geometry.hidden());
            Elementwise.fill(dhLast, dhLast.size(), 0.5f);
        }
        Buf dx = Buf.allocate(x.size());
        layer.backward(x, lengths, g.buf("dy.npy"), dhLast, dx, false);
        g.checkGrad("x", dx);
        layer.checkGradients();
    }

    @Test
    void twoStackedGruLayers() {
        Golden g = Golden.load("gru_stack2");
        int[] shape = g.npy(g.file("inputs", "x")).shape();
        int n = shape[0];
        int steps = shape[1];
        int hidden = (int) g.attr("hidden");
        Layer first = new Layer(g, new RecurrentGeometry(RecurrentCell.GRU, steps, shape[2], hidden, false, true), n,
                "_l0");
        Layer second = new Layer(g, new RecurrentGeometry(RecurrentCell.GRU, steps, hidden, hidden, false, true), n,
                "_l1");
        Buf x = g.buf("inputs", "x");
        first.forward(x, null);
        second.forward(first.y, null);
        g.check("y", second.y, g.file("outputs", "y"));
        float[] hn = g.floats("outputs", "h_n");
        Buf h = Buf.allocate(n * hidden);
        Recurrent.lastState(first.geometry, first.workspace, n, h, null);
        Close.check("h_n layer 0", h.toArray(), Arrays.copyOfRange(hn, 0, n * hidden), g.rtol(), g.atol());
        Recurrent.lastState(second.geometry, second.workspace, n, h, null);
        Close.check("h_n layer 1", h.toArray(), Arrays.copyOfRange(hn, n * hidden, 2 * n * hidden),
                g.rtol(), g.atol());

        Buf dMiddle = Buf.allocate(first.y.size());
        second.backward(first.y, null, g.buf("dy.npy"), null, dMiddle, false);
        Buf dx = Buf.allocate(x.size());
        first.backward(x, null, dMiddle, null, dx, false);
        g.checkGrad("x", dx);
        first.checkGradients();
        second.checkGradients();
    }

    /** Both directions see the same input; y is their outputs side by side, and dx the sum of theirs. */
    @Test
    void bidirectionalLstm() {
        Golden g = Golden.load("bilstm");
        int[] shape = g.npy(g.file("inputs", "x")).shape();
        int n = shape[0];
        int steps = shape[1];
        int hidden = (int) g.attr("hidden");
        Layer forward = new Layer(g, new RecurrentGeometry(RecurrentCell.LSTM, steps, shape[2], hidden, false, true),
                n, "_l0");
        Layer backward = new Layer(g, new RecurrentGeometry(RecurrentCell.LSTM, steps, shape[2], hidden, true, true),
                n, "_l0_reverse");
        Buf x = g.buf("inputs", "x");
        forward.forward(x, null);
        backward.forward(x, null);
        int rows = n * steps;
        Buf y = Buf.allocate(rows * 2 * hidden);
        Concat.place(forward.y, hidden, y, 2 * hidden, 0, rows);
        Concat.place(backward.y, hidden, y, 2 * hidden, hidden, rows);
        g.check("y", y, g.file("outputs", "y"));
        float[] hn = g.floats("outputs", "h_n");
        float[] cn = g.floats("outputs", "c_n");
        Buf h = Buf.allocate(n * hidden);
        Buf c = Buf.allocate(n * hidden);
        Layer[] directions = {forward, backward};
        for (int d = 0; d < 2; d++) {
            Recurrent.lastState(directions[d].geometry, directions[d].workspace, n, h, c);
            int from = d * n * hidden;
            Close.check("h_n direction " + d, h.toArray(), Arrays.copyOfRange(hn, from, from + n * hidden),
                    g.rtol(), g.atol());
            Close.check("c_n direction " + d, c.toArray(), Arrays.copyOfRange(cn, from, from + n * hidden),
                    g.rtol(), g.atol());
        }

        Buf dy = g.buf("dy.npy");
        Buf dyForward = Buf.allocate(rows * hidden);
        Buf dyBackward = Buf.allocate(rows * hidden);
        Concat.extract(dy, 2 * hidden, 0, dyForward, hidden, rows);
        Concat.extract(dy, 2 * hidden, hidden, dyBackward, hidden, rows);
        Buf dx = Buf.allocate(x.size());
        forward.backward(x, null, dyForward, null, dx, false);
        backward.backward(x, null, dyBackward, null, dx, true);
        g.checkGrad("x", dx);
        forward.checkGradients();
        backward.checkGradients();
    }

    /** One layer of a case: its parameters (named with {@code suffix}), output, workspace and gradients. */
    private static final class Layer {
        final Golden g;
        final RecurrentGeometry geometry;
        final int n;
        final String suffix;
        final Buf wIh;
        final Buf wHh;
        final Buf bIh;
        final Buf bHh;
        final Buf y;
        final Buf workspace;
        final Buf dwIh;
        final Buf dwHh;
        final Buf dbIh;
        final Buf dbHh;

        Layer(Golden g, RecurrentGeometry geometry, int n, String suffix) {
            this.g = g;
            this.geometry = geometry;
            this.n = n;
            this.suffix = suffix;
            wIh = g.buf("params", "weight_ih" + suffix);
            wHh = g.buf("params", "weight_hh" + suffix);
            bIh = g.buf("params", "bias_ih" + suffix);
            bHh = g.buf("params", "bias_hh" + suffix);
            y = Buf.allocate(n * geometry.steps() * geometry.hidden());
            workspace = Buf.allocate(Math.toIntExact(Recurrent.workspaceFloats(geometry, n)));
            dwIh = Buf.allocate(wIh.size());
            dwHh = Buf.allocate(wHh.size());
            dbIh = Buf.allocate(bIh.size());
            dbHh = Buf.allocate(bHh.size());
        }

        void forward(Buf x, IntBuffer lengths) {
            Recurrent.forward(geometry, x, lengths, null, null, wIh, wHh, bIh, bHh, y, workspace, n);
        }

        /**
         * Backward into {@code dx} and the layer's gradients; with {@code accumulate} added to what they
         * hold (the weight gradients start at zero), else overwriting them (they start as NaN).
         */
        void backward(Buf x, IntBuffer lengths, Buf dy, Buf dhLast, Buf dx, boolean accumulate) {
            for (Buf d : new Buf[] {dwIh, dwHh, dbIh, dbHh}) {
                Elementwise.fill(d, d.size(), accumulate ? 0f : Float.NaN);
            }
            Recurrent.backward(geometry, x, lengths, wIh, wHh, dy, dhLast, workspace, dx, dwIh, dwHh, dbIh, dbHh,
                    null, null, n, accumulate);
        }

        void checkGradients() {
            g.checkGrad("weight_ih" + suffix, dwIh);
            g.checkGrad("weight_hh" + suffix, dwHh);
            g.checkGrad("bias_ih" + suffix, dbIh);
            g.checkGrad("bias_hh" + suffix, dbHh);
        }
    }
}
