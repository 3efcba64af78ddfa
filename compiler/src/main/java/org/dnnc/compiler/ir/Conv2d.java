package org.dnnc.compiler.ir;

import java.util.List;
import java.util.Map;

/**
 * A 2-d convolution of x {@code [N,C,H,W]} with a kernel {@code [O,C,kh,kw]}, giving {@code [N,O,Ho,Wo]}
 * where {@code Ho = (H + padTop + padBottom - kh) / strideH + 1}, rounded down. Padding may be
 * asymmetric, as "same" padding with an even kernel needs.
 */
public record Conv2d(int strideH, int strideW, int padTop, int padLeft, int padBottom, int padRight)
        implements Op {

    @Override
    public Differentiability differentiability() {
        return Differentiability.DIFFERENTIABLE;
    }

    @Override
    public String mnemonic() {
        return "conv2d";
    }

    @Override
    public int arity() {
        return 2;
    }

    @Override
    public Map<String, Object> attrs() {
        return Attrs.of("stride", List.of(strideH, strideW), "pad", List.of(padTop, padLeft, padBottom, padRight));
    }

    @Override
    public TensorType inferType(List<TensorType> operands) throws IrTypeException {
        Checks.arity(this, operands);
        if (strideH <= 0 || strideW <= 0) {
            throw Checks.fail(this, "strides must be positive, got " + strideH + "x" + strideW);
        }
        if (padTop < 0 || padLeft < 0 || padBottom < 0 || padRight < 0) {
            throw Checks.fail(this, "padding must not be negative, got " + AttrText.format(attrs().get("pad")));
        }
        TensorType x = operands.get(0);
        TensorType w = operands.get(1);
        Checks.f32(this, "input", x);
        Checks.f32(this, "kernel", w);
        Checks.rank(this, "input", x, 4, "[N,C,H,W]");
        Checks.batchFirst(this, "input", x);
        Checks.rank(this, "kernel", w, 4, "[O,C,kh,kw]");
        Checks.allFixed(this, "kernel", w);
        if (!x.dim(1).equals(w.dim(1))) {
            throw Checks.fail(this, "input has " + x.dim(1) + " channels but the kernel expects " + w.dim(1)
                    + " (" + x + " * " + w + ")");
        }
        int height = Checks.fixed(this, "input height", x, 2);
        int width = Checks.fixed(this, "input width", x, 3);
        int kh = w.dim(2).bound();
        int kw = w.dim(3).bound();
        int outHeight = Checks.windowOutput(this, "height", height, kh, strideH, padTop, padBottom);
        int outWidth = Checks.windowOutput(this, "width", width, kw, strideW, padLeft, padRight);
        return x.withDims(List.of(x.dim(0), w.dim(0), Dim.of(outHeight), Dim.of(outWidth)));
    }
}
