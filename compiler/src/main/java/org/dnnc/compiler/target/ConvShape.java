package org.dnnc.compiler.target;

import java.util.Optional;
import org.dnnc.compiler.ir.Conv2d;
import org.dnnc.compiler.ir.Conv2dGradInput;
import org.dnnc.compiler.ir.Conv2dGradWeight;
import org.dnnc.compiler.ir.ConvBiasActivation;
import org.dnnc.compiler.ir.Graph;
import org.dnnc.compiler.ir.Node;
import org.dnnc.compiler.ir.TensorType;

/**
 * One example's convolution as the runtime's {@code ConvGeometry} holds it: input {@code
 * channels x height x width}, {@code filters} kernels of {@code kh x kw}, strides and padding.
 */
public record ConvShape(int channels, int height, int width, int filters, int kh, int kw, int strideH,
        int strideW, int padTop, int padLeft, int padBottom, int padRight) {

    /** The shape of {@code c} over x {@code [N,C,H,W]} with the kernel w {@code [O,C,kh,kw]}. */
    public static ConvShape of(Conv2d c, TensorType x, TensorType w) {
        return new ConvShape(x.dim(1).bound(), x.dim(2).bound(), x.dim(3).bound(), w.dim(0).bound(),
                w.dim(2).bound(), w.dim(3).bound(), c.strideH(), c.strideW(), c.padTop(), c.padLeft(),
                c.padBottom(), c.padRight());
    }

    /**
     * The convolution that {@code n}'s call runs a pass of (forward, fused forward, input or kernel
     * gradient), or empty if {@code n} is no convolution.
     */
    public static Optional<ConvShape> ofCall(Graph graph, Node n) {
        if (n.op() instanceof Conv2d c) {
            return Optional.of(of(c, operand(graph, n, 0), operand(graph, n, 1)));
        }
        if (n.op() instanceof ConvBiasActivation f) {
            return Optional.of(of(f.conv(), operand(graph, n, 0), operand(graph, n, 1)));
        }
        if (n.op() instanceof Conv2dGradInput g) {
            return Optional.of(of(g.forward(), n.type(), operand(graph, n, 1)));
        }
        if (n.op() instanceof Conv2dGradWeight g) {
            return Optional.of(of(g.forward(), operand(graph, n, 1), n.type()));
        }
        return Optional.empty();
    }

    private static TensorType operand(Graph graph, Node n, int index) {
        return graph.node(n.inputs().get(index)).type();
    }

    /** Output rows. */
    public int outHeight() {
        return (height + padTop + padBottom - kh) / strideH + 1;
    }

    /** Output columns. */
    public int outWidth() {
        return (width + padLeft + padRight - kw) / strideW + 1;
    }

    /** Output positions per example. */
    public int spatial() {
        return outHeight() * outWidth();
    }

    /** Rows of a column matrix, {@code C*kh*kw}. */
    public int patchSize() {
        return channels * kh * kw;
    }

    /** A 1x1 kernel, stride 1, no padding: the input itself is the column matrix. */
    public boolean isPointwise() {
        return kh == 1 && kw == 1 && strideH == 1 && strideW == 1 && padTop == 0 && padLeft == 0 && padBottom == 0
                && padRight == 0;
    }

    /** As the explanations print it, such as {@code 16x28x28 -> 32 3x3 stride 2 -> 14x14}. */
    String describe() {
        String stride = strideH == strideW ? Integer.toString(strideH) : strideH + "x" + strideW;
        return channels + "x" + height + "x" + width + " -> " + filters + " " + kh + "x" + kw + " stride " + stride
                + " -> " + outHeight() + "x" + outWidth();
    }
}
