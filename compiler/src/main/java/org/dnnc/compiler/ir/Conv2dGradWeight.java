package org.dnnc.compiler.ir;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The gradient of {@link Conv2d} with respect to its kernel: dy {@code [N, O, oh, ow]} correlated
 * with the input {@code [N, C, H, W]}, summed over the batch, giving {@code [O, C, kh, kw]}.
 */
public record Conv2dGradWeight(Conv2d forward, int kernelH, int kernelW) implements Op {

    @Override
    public Differentiability differentiability() {
        return Differentiability.BUILT_BY_AUTODIFF;
    }

    @Override
    public String mnemonic() {
        return "conv2d_grad_weight";
    }

    @Override
    public int arity() {
        return 2;
    }

    @Override
    public Map<String, Object> attrs() {
        var attrs = new LinkedHashMap<>(forward.attrs());
        attrs.put("kernel", List.of(kernelH, kernelW));
        return attrs;
    }

    @Override
    public TensorType inferType(List<TensorType> operands) throws IrTypeException {
        Checks.arity(this, operands);
        TensorType dy = operands.get(0);
        TensorType x = operands.get(1);
        Checks.rank(this, "gradient", dy, 4, "[N,O,H,W]");
        Checks.rank(this, "input", x, 4, "[N,C,H,W]");
        TensorType w = TensorType.f32(dy.dim(1), x.dim(1), Dim.of(kernelH), Dim.of(kernelW));
        Checks.expect(this, "gradient", dy, forward.inferType(List.of(x, w)));
        return w;
    }
}
