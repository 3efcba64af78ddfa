package org.dnnc.compiler.sema;

import static org.dnnc.compiler.sema.Specs.ANY_INT;
import static org.dnnc.compiler.sema.Specs.NON_NEGATIVE_REAL;
import static org.dnnc.compiler.sema.Specs.POSITIVE_REAL;
import static org.dnnc.compiler.sema.Specs.opt;

import java.util.List;
import org.dnnc.compiler.ir.Activation;
import org.dnnc.compiler.ir.ActivationKind;
import org.dnnc.compiler.ir.LogSoftmax;
import org.dnnc.compiler.ir.Softmax;

/** Pointwise activations and the softmax family. */
final class ActivationLayers {
    private ActivationLayers() {}

    static void register(Registry.Builder r) {
        r.add(pointwise("relu", ActivationKind.RELU, "max(x, 0).", List.of()));
        r.add(pointwise("leaky_relu", ActivationKind.LEAKY_RELU, "x for x > 0, alpha·x otherwise.",
                List.of(opt("alpha", NON_NEGATIVE_REAL, 0.01, "slope for negative inputs"))));
        r.add(pointwise("elu", ActivationKind.ELU, "x for x > 0, alpha·(eˣ − 1) otherwise.",
                List.of(opt("alpha", POSITIVE_REAL, 1.0, "saturation value for negative inputs"))));
        r.add(pointwise("sigmoid", ActivationKind.SIGMOID, "1 / (1 + e⁻ˣ).", List.of()));
        r.add(pointwise("tanh", ActivationKind.TANH, "Hyperbolic tangent.", List.of()));
        r.add(pointwise("identity", ActivationKind.IDENTITY, "Passes its input through unchanged.", List.of()));
        r.add(CoreLayers.layer("softmax", 1, 1, "Normalises an axis to probabilities that sum to 1.",
                List.of(opt("axis", ANY_INT, -1L, "per-example axis")),
                c -> {
                    Shapes.requireFloat(c, c.input(0), "values");
                    int axis = Shapes.irAxis(c, c.input(0).type(), c.args().integer("axis"));
                    return c.result(c.emit(new Softmax(axis), c.input(0).id()));
                }));
        r.add(CoreLayers.layer("log_softmax", 1, 1, "The logarithm of softmax, computed stably.",
                List.of(opt("axis", ANY_INT, -1L, "per-example axis")),
                c -> {
                    Shapes.requireFloat(c, c.input(0), "values");
                    int axis = Shapes.irAxis(c, c.input(0).type(), c.args().integer("axis"));
                    return c.result(c.emit(new LogSoftmax(axis), c.input(0).id()));
                }));
    }

    private static LayerSpec pointwise(String name, ActivationKind kind, String summary, List<ParamSpec> params) {
        return CoreLayers.layer(name, 1, 1, summary, params, c -> {
            Shapes.requireFloat(c, c.input(0), "values");
            double alpha = c.args().has("alpha") ? c.args().real("alpha") : 0.0;
            return c.result(c.emit(new Activation(kind, alpha), c.input(0).id()));
        });
    }
}
