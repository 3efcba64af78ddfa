package org.dnnc.compiler.ir;

import java.util.List;
import java.util.Map;

/** The gradient of {@link MseLoss} with respect to its predictions: {@code 2·(prediction - target)·dloss / size}. Operands: predictions, targets, dloss. */
public record MseGrad() implements Op {

    @Override
    public Differentiability differentiability() {
        return Differentiability.BUILT_BY_AUTODIFF;
    }

    @Override
    public String mnemonic() {
        return "mse_grad";
    }

    @Override
    public int arity() {
        return 3;
    }

    @Override
    public Map<String, Object> attrs() {
        return Map.of();
    }

    @Override
    public TensorType inferType(List<TensorType> operands) throws IrTypeException {
        Checks.arity(this, operands);
        new MseLoss().inferType(operands.subList(0, 2));
        Checks.expect(this, "loss gradient", operands.get(2), TensorType.scalar(DType.F32));
        return operands.get(0);
    }
}
