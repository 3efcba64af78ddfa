package org.dnnc.runtime.cpu;

/**
 * How a 4-d activation {@code [N, C, H, W]} lies in its view. Generated code names the layout of
 * each operand of the calls that accept more than one, as the compiler assigned them; a view holds
 * as many floats in either layout, since only channel counts that are multiples of {@link #BLOCK}
 * are blocked.
 */
public enum Layout {
    /** PyTorch's layout: each channel's plane after the other, {@code ((n*C + c)*H + h)*W + w}. */
    NCHW,
    /**
     * oneDNN's {@code nChw16c}, the layout its AVX-512 convolutions read and write: channels in
     * blocks of 16, innermost, {@code ((n*C/16 + c/16)*H*W + h*W + w)*16 + c%16}.
     */
    NCHW16C;

    /** Channels per block of {@link #NCHW16C}. */
    public static final int BLOCK = 16;

    /**
     * @throws IllegalArgumentException if {@code channels} cannot lie in this layout
     */
    void check(int channels) {
        if (this == NCHW16C && (channels <= 0 || channels % BLOCK != 0)) {
            throw new IllegalArgumentException("nChw16c needs a positive multiple of " + BLOCK
                    + " channels, got " + channels);
        }
    }
}
