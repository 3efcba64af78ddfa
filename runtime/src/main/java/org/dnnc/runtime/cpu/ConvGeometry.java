package org.dnnc.runtime.cpu;

/**
 * The constant shape of one 2-d convolution, per example: input {@code [channels, height, width]},
 * kernel {@code [filters, channels, kernelH, kernelW]} (PyTorch's layout), output {@code [filters,
 * outHeight, outWidth]}, with strides and explicit zero padding on each side.
 *
 * <p>Padding may be asymmetric: TensorFlow-style {@code same} padding puts the odd pixel at the
 * bottom and right ({@link #same}). Output sizes round down, as PyTorch's do: {@code outHeight =
 * (height + padTop + padBottom - kernelH) / strideH + 1}.
 *
 * <p>Generated code makes one instance per convolution, once (a {@code static final} constant), and
 * passes it to every {@link Conv2d} call with the batch size of that call; the kernels read its
 * fields and allocate nothing.
 *
 * @param channels input channels {@code C}
 * @param height input height {@code H}
 * @param width input width {@code W}
 * @param filters output channels {@code O}
 * @param kernelH kernel height
 * @param kernelW kernel width
 * @param strideH vertical stride
 * @param strideW horizontal stride
 * @param padTop zero rows above the input
 * @param padLeft zero columns left of the input
 * @param padBottom zero rows below the input
 * @param padRight zero columns right of the input
 */
public record ConvGeometry(int channels, int height, int width, int filters, int kernelH, int kernelW,
        int strideH, int strideW, int padTop, int padLeft, int padBottom, int padRight) {

    /**
     * Checks the shape.
     *
     * @throws IllegalArgumentException if a size or stride is not positive, a padding is negative,
     *     or the padded input is smaller than the kernel
     */
    public ConvGeometry {
        if (channels < 1 || height < 1 || width < 1 || filters < 1 || kernelH < 1 || kernelW < 1) {
            throw new IllegalArgumentException("convolution sizes must be positive: " + describe(channels, height,
                    width, filters, kernelH, kernelW));
        }
        if (strideH < 1 || strideW < 1) {
            throw new IllegalArgumentException("strides must be positive, got " + strideH + "x" + strideW);
        }
        if (padTop < 0 || padLeft < 0 || padBottom < 0 || padRight < 0) {
            throw new IllegalArgumentException("padding must not be negative, got [" + padTop + ", " + padLeft + ", "
                    + padBottom + ", " + padRight + "]");
        }
        if (height + padTop + padBottom < kernelH || width + padLeft + padRight < kernelW) {
            throw new IllegalArgumentException("kernel " + kernelH + "x" + kernelW + " is larger than the padded input "
                    + (height + padTop + padBottom) + "x" + (width + padLeft + padRight));
        }
    }

    /** A convolution with the same padding {@code pad} on every side (PyTorch's {@code padding=pad}). */
    public static ConvGeometry symmetric(int channels, int height, int width, int filters, int kernel, int stride,
            int pad) {
        return new ConvGeometry(channels, height, width, filters, kernel, kernel, stride, stride, pad, pad, pad, pad);
    }

    /**
     * TensorFlow-style {@code same} padding: the output is {@code ceil(size / stride)} in each
     * direction; the total padding {@code max((out - 1) * stride + kernel - size, 0)} is split with
     * the odd pixel at the bottom and right.
     */
    public static ConvGeometry same(int channels, int height, int width, int filters, int kernelH, int kernelW,
            int strideH, int strideW) {
        int padH = samePadding(height, kernelH, strideH);
        int padW = samePadding(width, kernelW, strideW);
        return new ConvGeometry(channels, height, width, filters, kernelH, kernelW, strideH, strideW,
                padH / 2, padW / 2, padH - padH / 2, padW - padW / 2);
    }

    private static int samePadding(int size, int kernel, int stride) {
        int out = (size + stride - 1) / stride;
        return Math.max((out - 1) * stride + kernel - size, 0);
    }

    /** Output rows per channel. */
    public int outHeight() {
        return (height + padTop + padBottom - kernelH) / strideH + 1;
    }

    /** Output columns per channel. */
    public int outWidth() {
        return (width + padLeft + padRight - kernelW) / strideW + 1;
    }

    /** Floats of one example's input, {@code C * H * W}. */
    public int inputSize() {
        return channels * height * width;
    }

    /** Floats of one example's output, {@code O * outHeight * outWidth}. */
    public int outputSize() {
        return filters * outHeight() * outWidth();
    }

    /** Floats of the kernel, {@code O * C * kernelH * kernelW}. */
    public int weightSize() {
        return filters * patchSize();
    }

    /** Values under one kernel window, {@code C * kernelH * kernelW}: the GEMMs' inner dimension. */
    public int patchSize() {
        return channels * kernelH * kernelW;
    }

    /**
     * Whether the convolution is a plain matrix product per example (a 1x1 kernel, stride 1, no
     * padding): then the input is its own im2col matrix and the kernels need no scratch.
     */
    public boolean isPointwise() {
        return kernelH == 1 && kernelW == 1 && strideH == 1 && strideW == 1
                && padTop == 0 && padLeft == 0 && padBottom == 0 && padRight == 0;
    }

    private static String describe(int channels, int height, int width, int filters, int kernelH, int kernelW) {
        return "input [" + channels + ", " + height + ", " + width + "], kernel [" + filters + ", " + channels + ", "
                + kernelH + ", " + kernelW + "]";
    }
}
