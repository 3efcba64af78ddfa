package org.dnnc.compiler.ir;

import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Max or average pooling of x {@code [N,C,H,W]} to {@code [N,C,Ho,Wo]}, with the output size of
 * {@link Conv2d} and symmetric padding.
 */
public record Pool2d(PoolKind kind, int kernelH, int kernelW, int strideH, int strideW, int padH, int padW)
        implements Op {

    @Override
    public Differentiability differentiability() {
        return Differentiability.DIFFERENTIABLE;
    }

    @Override
    public String mnemonic() {
        return kind.name().toLowerCase(Locale.ROOT) + "pool2d";
    }

    @Override
    public int arity() {
        return 1;
    }

    @Override
    public Map<String, Object> attrs() {
        return Attrs.of(
                "kernel", List.of(kernelH, kernelW),
                "stride", List.of(strideH, strideW),
                "pad", List.of(padH, padW));
    }

    @Override
    public TensorType inferType(List<TensorType> operands) throws IrTypeException {
        Checks.arity(this, operands);
        if (kernelH <= 0 || kernelW <= 0) {
            throw Checks.fail(this, "kernel sizes must be positive, got " + kernelH + "x" + kernelW);
        }
        if (strideH <= 0 || strideW <= 0) {
            throw Checks.fail(this, "strides must be positive, got " + strideH + "x" + strideW);
        }
        // PyTorch's limit: a window must never lie entirely in the padding.
        if (padH < 0 || padW < 0 || 2L * padH > kernelH || 2L * padW > kernelW) {
            throw Checks.fail(this, "padding must be between 0 and half the kernel, got padding " + padH + "x" + padW
                    + " for kernel " + kernelH + "x" + kernelW);
        }
        TensorType x = operands.get(0);
        Checks.f32(this, "input", x);
        Checks.rank(this, "input", x, 4, "[N,C,H,W]");
        Checks.batchFirst(this, "input", x);
        int height = Checks.fixed(this, "input height", x, 2);
        int width = Checks.fixed(this, "input width", x, 3);
        int outHeight = Checks.windowOutput(this, "height", height, kernelH, strideH, padH, padH);
        int outWidth = Checks.windowOutput(this, "width", width, kernelW, strideW, padW, padW);
        return x.withDims(List.of(x.dim(0), x.dim(1), Dim.of(outHeight), Dim.of(outWidth)));
    }
}
