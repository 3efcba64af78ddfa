package org.dnnc.runtime.cpu;

/**
 * The constant shape of one 2-d pooling, per example: input {@code [channels, height, width]},
 * window {@code kernelH x kernelW} moved by {@code strideH, strideW}, symmetric padding {@code padH}
 * rows above and below and {@code padW} columns left and right, output {@code [channels, outHeight,
 * outWidth]} with PyTorch's rounding down ({@code ceil_mode=False}).
 *
 * <p>As in PyTorch, padding may be at most half the window, so that no window lies entirely in the
 * padding. Generated code makes one instance per pooling, once, and passes it to every {@link
 * Pool2d} call.
 *
 * @param channels channels {@code C} (pooling works on each plane alone)
 * @param height input height {@code H}
 * @param width input width {@code W}
 * @param kernelH window height
 * @param kernelW window width
 * @param strideH vertical stride
 * @param strideW horizontal stride
 * @param padH padding above and below
 * @param padW padding left and right
 */
public record PoolGeometry(int channels, int height, int width, int kernelH, int kernelW, int strideH, int strideW,
        int padH, int padW) {

    /**
     * Checks the shape.
     *
     * @throws IllegalArgumentException if a size or stride is not positive, a padding is negative
     *     or more than half the window, or the padded input is smaller than the window
     */
    public PoolGeometry {
        if (channels < 1 || height < 1 || width < 1 || kernelH < 1 || kernelW < 1) {
            throw new IllegalArgumentException("pooling sizes must be positive: input [" + channels + ", " + height
                    + ", " + width + "], window " + kernelH + "x" + kernelW);
        }
        if (strideH < 1 || strideW < 1) {
            throw new IllegalArgumentException("strides must be positive, got " + strideH + "x" + strideW);
        }
        if (padH < 0 || padW < 0 || 2 * padH > kernelH || 2 * padW > kernelW) {
            throw new IllegalArgumentException("padding must be between 0 and half the window, got " + padH + "x"
                    + padW + " for window " + kernelH + "x" + kernelW);
        }
        if (height + 2 * padH < kernelH || width + 2 * padW < kernelW) {
            throw new IllegalArgumentException("window " + kernelH + "x" + kernelW + " is larger than the padded input "
                    + (height + 2 * padH) + "x" + (width + 2 * padW));
        }
    }

    /** A square window {@code size} moved by {@code stride}, no padding: {@code maxpool(2)} is {@code (c, h, w, 2, 2)}. */
    public static PoolGeometry of(int channels, int height, int width, int size, int stride) {
        return new PoolGeometry(channels, height, width, size, size, stride, stride, 0, 0);
    }

    /** Output rows per channel. */
    public int outHeight() {
        return (height + 2 * padH - kernelH) / strideH + 1;
    }

    /** Output columns per channel. */
    public int outWidth() {
        return (width + 2 * padW - kernelW) / strideW + 1;
    }

    /** Floats of one example's input, {@code C * H * W}. */
    public int inputSize() {
        return channels * height * width;
    }

    /** Floats of one example's output, {@code C * outHeight * outWidth}. */
    public int outputSize() {
        return channels * outHeight() * outWidth();
    }
}
