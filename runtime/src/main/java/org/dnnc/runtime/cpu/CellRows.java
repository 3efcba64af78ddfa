package org.dnnc.runtime.cpu;

/**
 * Per-thread heap rows that the recurrent cells ({@link Gru}, {@link Lstm}, {@link Rnn}) stage one
 * example's step in: each row of the workspace is bulk-copied in (a {@code memcpy}), the cell's
 * arithmetic runs on arrays, and the rows it produces are bulk-copied back. Element-wise {@code
 * FloatBuffer} access cost about a third of the GRU cell's time in the {@code gru} benchmark.
 */
final class CellRows {
    private static final ThreadLocal<CellRows> LOCAL = ThreadLocal.withInitial(CellRows::new);

    /** Gate pre-activations in, activations or gradients out: {@code gateRows} floats. */
    float[] gates = new float[0];
    /** The hidden side's gate row ({@code W_hh h}) forward, the input gradients backward. */
    float[] other = new float[0];
    /** {@code b_hh}. */
    float[] bias = new float[0];
    /** The state, in and out. */
    float[] h = new float[0];
    /** The LSTM's cell state, or the GRU's saved {@code W_hn h + b_hn}. */
    float[] c = new float[0];
    /** The state's gradient. */
    float[] dh = new float[0];
    /** A second row of {@code hidden}: the LSTM's cell-state gradient, the GRU's previous state. */
    float[] d = new float[0];

    private CellRows() {}

    /** This thread's rows, each at least as long as its role needs for the given sizes. */
    static CellRows get(int gateRows, int hidden) {
        CellRows rows = LOCAL.get();
        if (rows.gates.length < gateRows) {
            rows.gates = new float[gateRows];
            rows.other = new float[gateRows];
            rows.bias = new float[gateRows];
        }
        if (rows.h.length < hidden) {
            rows.h = new float[hidden];
            rows.c = new float[hidden];
            rows.dh = new float[hidden];
            rows.d = new float[hidden];
        }
        return rows;
    }
}
