package org.dnnc.runtime.cpu;

import java.util.Arrays;
import java.util.stream.Stream;
import org.junit.jupiter.params.provider.Arguments;

/**
 * The recurrent cases of {@code shared/golden} mapped onto single recurrent layers, as the compiler
 * composes stacked and bidirectional layers from them, and run forward and backward on a {@link
 * Device}: each case's sequence output, last states and the gradients of the input and every
 * parameter are checked against PyTorch's within the case's tolerances ({@code rtol}, {@code atol}
 * of its {@code case.json}). {@code GoldenRecurrentTest} runs them on the CPU's kernels; public
 * for {@code GoldenRecurrentGpuTest}, which runs the same mapping on the CUDA runtime's.
 */
public final class GoldenRecurrentCases {

    private GoldenRecurrentCases() {}

    /**
     * What the cases need of a device: the recurrent layer's and the row bands' operations with
     * the CPU twins' arguments, where {@code B} is a float array on the device and {@code L} an int
     * one (the per-example lengths).
     */
    public interface Device<B, L> {

        /** A fresh array of {@code n} floats; its contents are unspecified until written. */
        B allocate(int n);

        /** A copy of {@code values} on the device. */
        B upload(float[] values);

        /** A copy of {@code lengths} on the device. */
        L uploadInts(int[] lengths);

        /** The array's values on the host, once the work queued on it is done. */
        float[] download(B array);

        /** Sets the first {@code n} elements to {@code value}. */
        void fill(B array, int n, float value);

        /** {@link Recurrent#forward}, from zero initial states. */
        void forward(RecurrentGeometry g, B x, L lengths, B wIh, B wHh, B bIh, B bHh, B y, B workspace, int n);

        /** {@link Recurrent#lastState}. */
        void lastState(RecurrentGeometry g, B workspace, int n, B h, B c);

        /** {@link Recurrent#backward}, without the initial states' gradients. */
        void backward(RecurrentGeometry g, B x, L lengths, B wIh, B wHh, B dy, B dhLast, B workspace, B dx, B dwIh,
                B dwHh, B dbIh, B dbHh, int n, boolean accumulate);

        /** {@link Concat#place}. */
        void place(B src, int srcInner, B y, int yInner, int yOffset, int outer);

        /** {@link Concat#extract}. */
        void extract(B y, int yInner, int yOffset, B dst, int dstInner, int outer);
    }

    /** The single-layer cases and their cells, for {@code @MethodSource}: (case name, {@link RecurrentCell}). */
    public static Stream<Arguments> singleLayerCases() {
        return Stream.of(Arguments.of("rnn_tanh", RecurrentCell.RNN_TANH), Arguments.of("lstm", RecurrentCell.LSTM),
                Arguments.of("gru", RecurrentCell.GRU), Arguments.of("lstm_lengths", RecurrentCell.LSTM),
                Arguments.of("gru_lengths", RecurrentCell.GRU));
    }

    /**
     * One layer of {@code cell} over the case's {@code x} (and its {@code lengths}, where it has
     * them): {@code y}, {@code h_n}, {@code c_n} where given, and every gradient.
     */
    public static <B, L> void singleLayer(Device<B, L> d, String name, RecurrentCell cell) {
        Golden g = Golden.load(name);
        int[] shape = g.npy(g.file("inputs", "x")).shape();
        int n = shape[0];
        RecurrentGeometry geometry = new RecurrentGeometry(cell, shape[1], shape[2], (int) g.attr("hidden"), false, true);
        L lengths = g.files("inputs").containsKey("lengths")
                ? d.uploadInts(g.npy(g.file("inputs", "lengths")).ints())
                : null;
        Layer<B, L> layer = new Layer<>(d, g, geometry, n, "_l0");

        B x = d.upload(g.floats("inputs", "x"));
        layer.forward(x, lengths);
        g.check("y", d.download(layer.y), g.file("outputs", "y"));
        B h = d.allocate(n * geometry.hidden());
        B c = d.allocate(n * geometry.hidden());
        d.lastState(geometry, layer.workspace, n, h, c);
        g.check("h_n", d.download(h), g.file("outputs", "h_n"));
        if (g.files("outputs").containsKey("c_n")) {
            g.check("c_n", d.download(c), g.file("outputs", "c_n"));
        }

        // The lengths cases' loss is sum(y * dy) + 0.5 * sum(h_n): the last state gets 0.5 everywhere.
        B dhLast = null;
        if (lengths != null) {
            dhLast = d.allocate(n * geometry.hidden());
            d.fill(dhLast, n * geometry.hidden(), 0.5f);
        }
        B dx = d.allocate(n * geometry.steps() * geometry.inputSize());
        layer.backward(x, lengths, d.upload(g.floats("dy.npy")), dhLast, dx, false);
        g.checkGrad("x", d.download(dx));
        layer.checkGradients();
    }

    /** {@code gru_stack2}: the second GRU layer reads the first's sequence; {@code h_n} holds both layers' last states. */
    public static <B, L> void twoStackedGruLayers(Device<B, L> d) {
        Golden g = Golden.load("gru_stack2");
        int[] shape = g.npy(g.file("inputs", "x")).shape();
        int n = shape[0];
        int steps = shape[1];
        int hidden = (int) g.attr("hidden");
        Layer<B, L> first = new Layer<>(d, g,
                new RecurrentGeometry(RecurrentCell.GRU, steps, shape[2], hidden, false, true), n, "_l0");
        Layer<B, L> second = new Layer<>(d, g,
                new RecurrentGeometry(RecurrentCell.GRU, steps, hidden, hidden, false, true), n, "_l1");
        B x = d.upload(g.floats("inputs", "x"));
        first.forward(x, null);
        second.forward(first.y, null);
        g.check("y", d.download(second.y), g.file("outputs", "y"));
        float[] hn = g.floats("outputs", "h_n");
        B h = d.allocate(n * hidden);
        for (int l = 0; l < 2; l++) {
            Layer<B, L> layer = l == 0 ? first : second;
            d.lastState(layer.geometry, layer.workspace, n, h, null);
            int from = l * n * hidden;
            Close.check("h_n layer " + l, d.download(h), Arrays.copyOfRange(hn, from, from + n * hidden), g.rtol(),
                    g.atol());
        }

        B dMiddle = d.allocate(n * steps * hidden);
        second.backward(first.y, null, d.upload(g.floats("dy.npy")), null, dMiddle, false);
        B dx = d.allocate(n * steps * shape[2]);
        first.backward(x, null, dMiddle, null, dx, false);
        g.checkGrad("x", d.download(dx));
        first.checkGradients();
        second.checkGradients();
    }

    /** {@code bilstm}: both directions see the same input; y is their outputs side by side, and dx the sum of theirs. */
    public static <B, L> void bidirectionalLstm(Device<B, L> d) {
        Golden g = Golden.load("bilstm");
        int[] shape = g.npy(g.file("inputs", "x")).shape();
        int n = shape[0];
        int steps = shape[1];
        int hidden = (int) g.attr("hidden");
        Layer<B, L> forward = new Layer<>(d, g,
                new RecurrentGeometry(RecurrentCell.LSTM, steps, shape[2], hidden, false, true), n, "_l0");
        Layer<B, L> backward = new Layer<>(d, g,
                new RecurrentGeometry(RecurrentCell.LSTM, steps, shape[2], hidden, true, true), n, "_l0_reverse");
        B x = d.upload(g.floats("inputs", "x"));
        forward.forward(x, null);
        backward.forward(x, null);
        int rows = n * steps;
        B y = d.allocate(rows * 2 * hidden);
        d.place(forward.y, hidden, y, 2 * hidden, 0, rows);
        d.place(backward.y, hidden, y, 2 * hidden, hidden, rows);
        g.check("y", d.download(y), g.file("outputs", "y"));
        float[] hn = g.floats("outputs", "h_n");
        float[] cn = g.floats("outputs", "c_n");
        B h = d.allocate(n * hidden);
        B c = d.allocate(n * hidden);
        for (int dir = 0; dir < 2; dir++) {
            Layer<B, L> layer = dir == 0 ? forward : backward;
            d.lastState(layer.geometry, layer.workspace, n, h, c);
            int from = dir * n * hidden;
            Close.check("h_n direction " + dir, d.download(h), Arrays.copyOfRange(hn, from, from + n * hidden),
                    g.rtol(), g.atol());
            Close.check("c_n direction " + dir, d.download(c), Arrays.copyOfRange(cn, from, from + n * hidden),
                    g.rtol(), g.atol());
        }

        B dy = d.upload(g.floats("dy.npy"));
        B dyForward = d.allocate(rows * hidden);
        B dyBackward = d.allocate(rows * hidden);
        d.extract(dy, 2 * hidden, 0, dyForward, hidden, rows);
        d.extract(dy, 2 * hidden, hidden, dyBackward, hidden, rows);
        B dx = d.allocate(rows * shape[2]);
        forward.backward(x, null, dyForward, null, dx, false);
        backward.backward(x, null, dyBackward, null, dx, true);
        g.checkGrad("x", d.download(dx));
        forward.checkGradients();
        backward.checkGradients();
    }

    /** One layer of a case: its parameters (named with {@code suffix}), output, workspace and gradients. */
    private static final class Layer<B, L> {
        final Device<B, L> d;
        final Golden g;
        final RecurrentGeometry geometry;
        final int n;
        final String suffix;
        final B wIh;
        final B wHh;
        final B bIh;
        final B bHh;
        final B y;
        final B workspace;
        final B dwIh;
        final B dwHh;
        final B dbIh;
        final B dbHh;

        Layer(Device<B, L> d, Golden g, RecurrentGeometry geometry, int n, String suffix) {
            this.d = d;
            this.g = g;
            this.geometry = geometry;
            this.n = n;
            this.suffix = suffix;
            wIh = d.upload(g.floats("params", "weight_ih" + suffix));
            wHh = d.upload(g.floats("params", "weight_hh" + suffix));
            bIh = d.upload(g.floats("params", "bias_ih" + suffix));
            bHh = d.upload(g.floats("params", "bias_hh" + suffix));
            int gates = geometry.gateRows();
            y = d.allocate(n * geometry.steps() * geometry.hidden());
            workspace = d.allocate(Math.toIntExact(Recurrent.workspaceFloats(geometry, n)));
            dwIh = d.allocate(gates * geometry.inputSize());
            dwHh = d.allocate(gates * geometry.hidden());
            dbIh = d.allocate(gates);
            dbHh = d.allocate(gates);
        }

        void forward(B x, L lengths) {
            d.forward(geometry, x, lengths, wIh, wHh, bIh, bHh, y, workspace, n);
        }

        /**
         * Backward into {@code dx} and the layer's gradients; with {@code accumulate} added to what they
         * hold (the weight gradients start at zero), else overwriting them (they start as NaN).
         */
        void backward(B x, L lengths, B dy, B dhLast, B dx, boolean accumulate) {
            int gates = geometry.gateRows();
            d.fill(dwIh, gates * geometry.inputSize(), accumulate ? 0f : Float.NaN);
            d.fill(dwHh, gates * geometry.hidden(), accumulate ? 0f : Float.NaN);
            d.fill(dbIh, gates, accumulate ? 0f : Float.NaN);
            d.fill(dbHh, gates, accumulate ? 0f : Float.NaN);
            d.backward(geometry, x, lengths, wIh, wHh, dy, dhLast, workspace, dx, dwIh, dwHh, dbIh, dbHh, n,
                    accumulate);
        }

        void checkGradients() {
            g.checkGrad("weight_ih" + suffix, d.download(dwIh));
            g.checkGrad("weight_hh" + suffix, d.download(dwHh));
            g.checkGrad("bias_ih" + suffix, d.download(dbIh));
            g.checkGrad("bias_hh" + suffix, d.download(dbHh));
        }
    }
}
