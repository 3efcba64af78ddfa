package org.dnnc.compiler.ir;

/**
 * How a 4-D activation {@code [N,C,H,W]} lies in memory. The runtime's {@code Layout} has the same
 * constants, which the generated calls name.
 */
public enum Layout {
    /** Row-major over {@code N, C, H, W}: every value but the few {@link #NCHW16C} ones. */
    NCHW("nchw"),
    /**
     * oneDNN's blocked layout: channels in blocks of {@link #BLOCK}, innermost, so element {@code
     * (n,c,h,w)} is at {@code ((n*C/16 + c/16)*H*W + h*W + w)*16 + c%16}. With C a multiple of 16 it
     * holds as many floats as NCHW.
     */
    NCHW16C("nChw16c");

    /** Channels per block of {@link #NCHW16C}. */
    public static final int BLOCK = 16;

    private final String mnemonic;

    Layout(String mnemonic) {
        this.mnemonic = mnemonic;
    }

    /**
     * Whether a value of type {@code t} can lie in this layout: any for {@link #NCHW}; for {@link
     * #NCHW16C} f32 {@code [N,C,H,W]} with C whole blocks, so that it fills as much as in NCHW.
     */
    public boolean fits(TensorType t) {
        return this == NCHW || t.dtype() == DType.F32 && t.rank() == 4 && t.dim(1) instanceof Dim.Fixed c
                && c.size() > 0 && c.size() % BLOCK == 0;
    }

    /** The name in printed IR: {@code nchw}, {@code nChw16c} (oneDNN's own). */
    public String mnemonic() {
        return mnemonic;
    }
}
