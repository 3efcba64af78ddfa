package org.dnnc.compiler.sema;

import java.util.List;
import java.util.OptionalInt;
import org.dnnc.compiler.ir.Activation;
import org.dnnc.compiler.ir.ActivationKind;
import org.dnnc.compiler.ir.BceWithLogits;
import org.dnnc.compiler.ir.CrossEntropy;
import org.dnnc.compiler.ir.DType;
import org.dnnc.compiler.ir.MseLoss;
import org.dnnc.compiler.ir.Op;
import org.dnnc.compiler.ir.Softmax;
import org.dnnc.compiler.ir.TensorType;
import org.dnnc.compiler.sema.LayerCall.LayerException;

/** Training losses; each returns a scalar, the mean over the batch (and elements, for mse and bce). */
final class Losses {
    private Losses() {}

    static void register(Registry.Builder r) {
        r.add(new LayerSpec("cross_entropy", Category.LOSS, 2, 2,
                List.of(Specs.opt("ignore", Specs.ANY_INT, null,
                        "a label that takes no part (padding): the mean is over the other labels")),
                "Softmax cross-entropy of logits [C] against an integer class label; applies softmax itself.",
                Losses::crossEntropy));
        r.add(new LayerSpec("mse", Category.LOSS, 2, 2,
                List.of(), "Mean squared error between a prediction and a float target of the same shape.",
                c -> floatTarget(c, new MseLoss())));
        r.add(new LayerSpec("bce_with_logits", Category.LOSS, 2, 2,
                List.of(), "Binary cross-entropy of logits against float targets in [0, 1]; applies the sigmoid itself.",
                Losses::bce));
    }

    private static Val.Tensor crossEntropy(LayerCall c) throws LayerException {
        Val.Tensor logits = c.input(0);
        Val.Tensor target = c.input(1);
        Shapes.requireFloat(c, logits, "logits");
        int rank = logits.type().rank();
        if (rank != 2 && rank != 3) {
            throw new LayerException("`cross_entropy` needs logits [classes] per example, or [steps, classes] for a "
                    + "label per step, got " + Shapes.perExample(logits.type()) + " (" + logits.type() + ") from "
                    + logits.producer(), List.of(), List.of(logits));
        }
        TensorType labels = new TensorType(DType.I32, logits.type().dims().subList(0, rank - 1));
        if (rank == 2 && (target.type().dtype() != DType.I32 || target.type().rank() != 1)) {
            throw new LayerException("`cross_entropy` needs an integer class label per example as its target (i32[N]), got "
                    + target.type() + " from " + target.producer(),
                    List.of("declare the label as `input label: int;`; for float targets use `mse` or `bce_with_logits`"),
                    List.of(target));
        }
        if (rank == 3 && !target.type().equals(labels)) {
            throw new LayerException("`cross_entropy` over " + logits.type() + " needs an integer class label per step "
                    + "as its target (" + labels + "), got " + target.type() + " from " + target.producer(),
                    List.of("declare the labels as `input next: int" + Shapes.perExample(labels) + ";`"),
                    List.of(logits, target));
        }
        if (producedBy(c, logits, Softmax.class)) {
            c.warn("`cross_entropy` applies softmax itself, but its input already went through `softmax`",
                    "pass the logits (the value before `softmax`) to `cross_entropy`");
        }
        OptionalInt ignore = c.args().has("ignore") ? OptionalInt.of(c.args().integer("ignore")) : OptionalInt.empty();
        return c.result(c.emit(new CrossEntropy(ignore), logits.id(), target.id()));
    }

    private static Val.Tensor bce(LayerCall c) throws LayerException {
        Val.Tensor logits = c.input(0);
        Op op = c.graphOp(logits.id());
        if (op instanceof Activation a && a.kind() == ActivationKind.SIGMOID) {
            c.warn("`bce_with_logits` applies the sigmoid itself, but its input already went through `sigmoid`",
                    "pass the value before `sigmoid`");
        }
        return floatTarget(c, new BceWithLogits());
    }

    private static Val.Tensor floatTarget(LayerCall c, Op loss) throws LayerException {
        Val.Tensor prediction = c.input(0);
        Val.Tensor target = c.input(1);
        Shapes.requireFloat(c, prediction, "predictions");
        if (target.type().dtype() != DType.F32) {
            throw new LayerException("`" + c.name() + "` needs a float target, got " + target.type() + " from " + target.producer(),
                    List.of("for integer class labels use `cross_entropy`"), List.of(target));
        }
        if (!prediction.type().equals(target.type())) {
            throw new LayerException("`" + c.name() + "` needs the prediction and the target to have the same shape, got "
                    + prediction.type() + " from " + prediction.producer() + " and " + target.type() + " from " + target.producer(),
                    List.of(), List.of(prediction, target));
        }
        return c.result(c.emit(loss, prediction.id(), target.id()));
    }

    private static boolean producedBy(LayerCall c, Val.Tensor t, Class<? extends Op> kind) {
        return kind.isInstance(c.graphOp(t.id()));
    }
}
