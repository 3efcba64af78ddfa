package org.dnnc.compiler.ir;

import java.util.List;
import java.util.Map;

/** The gradient of {@link GlobalAvgPool}: dy {@code [N, C]} spread evenly over {@code [N, C, height, width]}. */
public record GlobalAvgPoolGrad(int height, int width) implements Op {

    @Override
    public Differentiability differentiability() {
        return Differentiability.BUILT_BY_AUTODIFF;
    }

    @Override
    public String mnemonic() {
        return "global_avgpool_grad";
    }

    @Override
    public int arity() {
        return 1;
    }

    @Override
    public Map<String, Object> attrs() {
        return Attrs.of("input", List.of(height, width));
    }

    @Override
    public TensorType inferType(List<TensorType> operands) throws IrTypeException {
        Checks.arity(this, operands);
        TensorType dy = operands.get(0);
        Checks.f32(this, "gradient", dy);
        Checks.rank(this, "gradient", dy, 2, "[N,C]");
        Checks.positiveAttr(this, "height", height);
        Checks.positiveAttr(this, "width", width);
        return dy.withDims(List.of(dy.dim(0), dy.dim(1), Dim.of(height), Dim.of(width)));
    }
}
