package org.dnnc.runtime.cpu;

/**
 * The cells a {@link Recurrent} layer can run, with PyTorch's gate layout: the weights stack
 * {@link #gates()} blocks of {@code hidden} rows, in the order given for each cell.
 */
public enum RecurrentCell {
    /** {@code h' = tanh(W_ih x + b_ih + W_hh h + b_hh)}; one block. */
    RNN_TANH(1),
    /** {@code h' = relu(W_ih x + b_ih + W_hh h + b_hh)}; one block. */
    RNN_RELU(1),
    /**
     * Gates {@code i, f, g, o}: {@code c' = f c + i g}, {@code h' = o tanh(c')}, with {@code i, f, o}
     * sigmoids and {@code g} a tanh of {@code W_ih x + b_ih + W_hh h + b_hh}.
     */
    LSTM(4),
    /**
     * Gates {@code r, z, n}, the reset applied after the hidden matmul (PyTorch's and cuDNN's form):
     * {@code n = tanh(W_in x + b_in + r (W_hn h + b_hn))}, {@code h' = (1 - z) n + z h}.
     */
    GRU(3);

    private final int gates;

    RecurrentCell(int gates) {
        this.gates = gates;
    }

    /** How many blocks of {@code hidden} rows the weights and biases stack. */
    public int gates() {
        return gates;
    }
}
