package org.dnnc.compiler.ir;

import java.util.List;
import java.util.Map;

/**
 * Batch normalization over the channels (axis 1) of x {@code [N,C]} or {@code [N,C,H,W]}. The
 * operands after x are gamma, beta, the running mean and the running variance, each {@code [C]}.
 * With {@code residual}, a sixth operand shaped like x is added to the normalized values, and with
 * {@code relu} a ReLU follows, both in the same pass over memory (fusion makes these forms:
 * {@code relu(batchnorm(x) + r)}).
 */
public record BatchNorm(double eps, double momentum, boolean relu, boolean residual) implements Op {

    private static final List<String> PARAMETERS = List.of("gamma", "beta", "running_mean", "running_var");

    /** Batch normalization alone. */
    public BatchNorm(double eps, double momentum) {
        this(eps, momentum, false, false);
    }

    /** Batch normalization, followed by a ReLU when {@code relu}. */
    public BatchNorm(double eps, double momentum, boolean relu) {
        this(eps, momentum, relu, false);
    }

    /** The fused forms exist only after differentiation, which has no rule for them. */
    @Override
    public Differentiability differentiability() {
        return relu || residual ? Differentiability.BUILT_AFTER_AUTODIFF : Differentiability.DIFFERENTIABLE;
    }

    @Override
    public String mnemonic() {
        return "batchnorm" + (residual ? "_add" : "") + (relu ? "_relu" : "");
    }

    @Override
    public int arity() {
        return residual ? 6 : 5;
    }

    @Override
    public Map<String, Object> attrs() {
        return Attrs.of("eps", eps, "momentum", momentum);
    }

    @Override
    public TensorType inferType(List<TensorType> operands) throws IrTypeException {
        Checks.arity(this, operands);
        Checks.positiveNumber(this, "eps", eps);
        // Written so that NaN fails too.
        if (!(momentum >= 0 && momentum <= 1)) {
            throw Checks.fail(this, "momentum must be between 0 and 1, got " + momentum);
        }
        TensorType x = operands.get(0);
        Checks.f32(this, "input", x);
        if (x.rank() < 2 || x.rank() > 4) {
            throw Checks.fail(this, "input must have rank 2 [N,C], 3 [N,C,L] or 4 [N,C,H,W], got " + x);
        }
        Checks.batchFirst(this, "input", x);
        int channels = Checks.fixed(this, "the channel count", x, 1);
        TensorType expected = TensorType.f32(Dim.of(channels));
        for (int i = 0; i < PARAMETERS.size(); i++) {
            Checks.expect(this, PARAMETERS.get(i), operands.get(i + 1), expected);
        }
        if (residual) {
            Checks.expect(this, "residual", operands.get(5), x);
        }
        return x;
    }
}
