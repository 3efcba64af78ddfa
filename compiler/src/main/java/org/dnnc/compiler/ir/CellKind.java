package org.dnnc.compiler.ir;

/** The recurrent cells of {@link Recurrent}, with PyTorch's gate layout. */
public enum CellKind {
    RNN_TANH("rnn", 1),
    RNN_RELU("rnn_relu", 1),
    LSTM("lstm", 4),
    GRU("gru", 3);

    private final String mnemonic;
    private final int gates;

    CellKind(String mnemonic, int gates) {
        this.mnemonic = mnemonic;
        this.gates = gates;
    }

    public String mnemonic() {
        return mnemonic;
    }

    /** How many blocks of {@code hidden} rows the weights stack: the gates of the cell. */
    public int gates() {
        return gates;
    }
}
