package org.dnnc.compiler.sema;

import static org.dnnc.compiler.sema.Specs.POSITIVE_REAL;
import static org.dnnc.compiler.sema.Specs.UNIT_INTERVAL_OPEN;
import static org.dnnc.compiler.sema.Specs.opt;

import java.util.List;
import org.dnnc.compiler.ir.BatchNorm;
import org.dnnc.compiler.ir.LayerNorm;
import org.dnnc.compiler.ir.TensorType;
import org.dnnc.compiler.sema.LayerCall.LayerException;

/** Batch and layer normalization, with PyTorch's parameter names and defaults. */
final class NormLayers {
    private NormLayers() {}

    static void register(Registry.Builder r) {
        r.add(CoreLayers.layer("batchnorm", 1, 1,
                "Batch normalization over the channel axis (features for vectors): batch statistics in training, running averages in inference.",
                List.of(opt("momentum", UNIT_INTERVAL_OPEN, 0.1, "weight of the new batch in the running averages"),
                        opt("eps", POSITIVE_REAL, 1e-5, "added to the variance")),
                NormLayers::batchnorm));
        r.add(CoreLayers.layer("layernorm", 1, 1, "Layer normalization over the last axis of each example.",
                List.of(opt("eps", POSITIVE_REAL, 1e-5, "added to the variance")),
                NormLayers::layernorm));
    }

    /** The shapes are the op's to check: the parameters take the type that {@link LayerNorm} asks for. */
    private static Val.Tensor layernorm(LayerCall c) throws LayerException {
        Val.Tensor x = c.input(0);
        Shapes.requireFloat(c, x, "values");
        LayerNorm op = new LayerNorm(c.args().real("eps"));
        TensorType features = c.typed(op, () -> op.parameterType(x.type()));
        int gamma = c.param("weight", features, true, "ones");
        int beta = c.param("bias", features, true, "zeros");
        return c.result(c.emit(op, x.id(), gamma, beta));
    }

    private static Val.Tensor batchnorm(LayerCall c) throws LayerException {
        Val.Tensor x = c.input(0);
        Shapes.requireFloat(c, x, "values");
        int rank = x.type().rank();
        if (rank < 2 || rank > 4) {
            throw new LayerException("`batchnorm` needs [features], [channels, length] or [channels, height, width] "
                    + "per example, got " + Shapes.perExample(x.type()) + " from " + x.producer(), List.of(), List.of(x));
        }
        int channels = Shapes.fixed(c, x.type().dim(1), "channel count");
        int gamma = c.param("weight", Shapes.vector(channels), true, "ones");
        int beta = c.param("bias", Shapes.vector(channels), true, "zeros");
        int mean = c.param("running_mean", Shapes.vector(channels), false, "zeros");
        int var = c.param("running_var", Shapes.vector(channels), false, "ones");
        return c.result(c.emit(new BatchNorm(c.args().real("eps"), c.args().real("momentum")), x.id(), gamma, beta, mean, var));
    }
}
