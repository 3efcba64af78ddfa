package org.dnnc.compiler.codegen;

import java.util.List;
import org.dnnc.compiler.ir.CrossEntropy;
import org.dnnc.compiler.ir.DType;
import org.dnnc.compiler.ir.Graph;
import org.dnnc.compiler.ir.Input;
import org.dnnc.compiler.ir.Node;
import org.dnnc.compiler.ir.Origin;
import org.dnnc.compiler.sema.NetworkModel;

/**
 * Which input is which for the training loop: the features, and the class labels or float targets
 * that the loss compares the prediction with (or the features themselves, for autoencoders).
 *
 * @param kind the runtime's {@code TargetKind}: LABELS, TARGETS or INPUT
 */
record Roles(String features, int[] featureShape, String labels, String targets, int[] targetShape, String kind) {

    int featureSize() {
        return product(featureShape);
    }

    int targetSize() {
        return product(targetShape);
    }

    /** The roles in a network that only predicts: its one float input is the features; there is no target. */
    static Roles ofInference(NetworkModel model, Graph infer) throws CodegenException {
        List<Node> floats = infer.inputs().stream().filter(n -> n.type().dtype() == DType.F32).toList();
        if (floats.size() != 1) {
            throw new CodegenException("code generation supports networks with one feature input for now; `"
                    + model.name() + "` has " + floats.size(), new Origin(model.span(), ""));
        }
        Node features = floats.get(0);
        return new Roles(((Input) features.op()).name(), Sizes.perExample(features.type()), null, null, new int[0],
                "NONE");
    }

    static Roles of(NetworkModel model, Graph train) throws CodegenException {
        Node loss = train.node(train.outputs().get("loss"));
        Node target = train.node(loss.inputs().get(1));
        if (!(target.op() instanceof Input targetInput)) {
            throw new CodegenException("code generation needs the loss to compare with an input of the network",
                    loss.origin());
        }
        List<Node> floats = train.inputs().stream().filter(n -> n.type().dtype() == DType.F32).toList();
        if (!(loss.op() instanceof CrossEntropy) && floats.size() > 1) {
            // A float target that is an input of its own is not a feature; an autoencoder's target is.
            floats = floats.stream().filter(n -> n.id() != target.id()).toList();
        }
        if (floats.size() != 1) {
            throw new CodegenException("code generation supports networks with one feature input for now; `"
                    + model.name() + "` has " + floats.size(), new Origin(model.span(), ""));
        }
        Node features = floats.get(0);
        String featureName = ((Input) features.op()).name();
        int[] featureShape = Sizes.perExample(features.type());
        if (loss.op() instanceof CrossEntropy) {
            return new Roles(featureName, featureShape, targetInput.name(), null, new int[0], "LABELS");
        }
        if (target.id() == features.id()) {
            return new Roles(featureName, featureShape, null, null, featureShape, "INPUT");
        }
        return new Roles(featureName, featureShape, null, targetInput.name(), Sizes.perExample(target.type()), "TARGETS");
    }

    private static int product(int[] shape) {
        int p = 1;
        for (int d : shape) {
            p *= d;
        }
        return p;
    }
}
