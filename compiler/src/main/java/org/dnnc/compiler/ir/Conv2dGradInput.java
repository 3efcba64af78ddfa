package org.dnnc.compiler.ir;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The gradient of {@link Conv2d} with respect to its input: the transposed convolution of dy
 * {@code [N, O, oh, ow]} with the kernel {@code [O, C, kh, kw]}, giving {@code [N, C, height, width]}.
 * The input's size is an attribute because strided windows lose it.
 */
public record Conv2dGradInput(Conv2d forward, int height, int width) implements Op {

    @Override
    public Differentiability differentiability() {
        return Differentiability.BUILT_BY_AUTODIFF;
    }

    @Override
    public String mnemonic() {
        return "conv2d_grad_input";
    }

    @Override
    public int arity() {
        return 2;
    }

    @Override
    public Map<String, Object> attrs() {
        var attrs = new LinkedHashMap<>(forward.attrs());
        attrs.put("input", List.of(height, width));
        return attrs;
    }

    @Override
    public TensorType inferType(List<TensorType> operands) throws IrTypeException {
        Checks.arity(this, operands);
        TensorType dy = operands.get(0);
        TensorType w = operands.get(1);
        Checks.rank(this, "gradient", dy, 4, "[N,O,H,W]");
        Checks.rank(this, "kernel", w, 4, "[O,C,kh,kw]");
        TensorType x = dy.withDims(List.of(dy.dim(0), w.dim(1), Dim.of(height), Dim.of(width)));
        Checks.expect(this, "gradient", dy, forward.inferType(List.of(x, w)));
        return x;
    }
}
