package org.dnnc.compiler.codegen;

import java.util.ArrayList;
import java.util.List;
import org.dnnc.compiler.ir.CrossEntropy;
import org.dnnc.compiler.ir.DType;
import org.dnnc.compiler.ir.Graph;
import org.dnnc.compiler.ir.Input;
import org.dnnc.compiler.ir.Node;
import org.dnnc.compiler.ir.Origin;
import org.dnnc.compiler.sema.NetworkModel;

/**
 * What a generated class reads and returns: the inputs that predicting reads, the targets that only
 * training reads (class labels, float targets), and the declared outputs, each named and typed as in
 * the source; and what the network is trained to reproduce.
 *
 * @param inputs the inference program's inputs, in declaration order
 * @param targets the inputs only the training program reads, in declaration order
 * @param outputs the declared outputs, in declaration order
 * @param kind the runtime's {@code TargetKind}: LABELS, TARGETS or INPUT; NONE without training
 * @param classes the size of the logits of a network trained on labels; 0 otherwise
 * @param labelsPerExample the labels each example holds: 1 for a classifier, the steps of a label per step
 */
record Signature(List<Tensor> inputs, List<Tensor> targets, List<Tensor> outputs, String kind, int classes,
        int labelsPerExample) {

    /** One named tensor: its name, whether it holds ints, and the shape of one example. */
    record Tensor(String name, boolean ints, int[] shape) {
        int size() {
            int p = 1;
            for (int d : shape) {
                p *= d;
            }
            return p;
        }
    }

    /** Whether training counts correctly classified examples. */
    boolean accuracy() {
        return kind.equals("LABELS");
    }

    /** Inputs, then targets: what a training or evaluation step reads. */
    List<Tensor> stepInputs() {
        List<Tensor> all = new ArrayList<>(inputs);
        all.addAll(targets);
        return all;
    }

    /** The only input, when it is a float tensor: what the one-input {@code predict} methods take. */
    Tensor singleFloatInput() {
        return inputs.size() == 1 && !inputs.get(0).ints() ? inputs.get(0) : null;
    }

    /** The signature of a network that only predicts. */
    static Signature ofInference(NetworkModel model, Graph infer) throws CodegenException {
        return new Signature(tensors(model, infer, List.of()), List.of(), outputs(model, infer), "NONE", 0, 0);
    }

    /**
     * A weighted sum of losses, such as {@code cross_entropy(logits, label) + 0.5 * mse(recon, image)},
     * is trained on labels when any term is a cross-entropy (its classes are the first such term's),
     * on float targets when a term compares with an input that only training reads, and else on the
     * input itself.
     */
    static Signature of(NetworkModel model, Graph train, Graph infer) throws CodegenException {
        List<Tensor> inputs = tensors(model, infer, List.of());
        List<String> inputNames = inputs.stream().map(Tensor::name).toList();
        List<Tensor> targets = tensors(model, train, inputNames);
        Node loss = train.node(train.outputs().get("loss"));
        List<Node> terms = LossTerms.of(train, loss);
        if (terms.isEmpty()) {
            throw new CodegenException("code generation needs the loss to be built from losses such as `cross_entropy`",
                    loss.origin());
        }
        for (Node term : terms) {
            if (!(train.node(term.inputs().get(1)).op() instanceof Input)) {
                throw new CodegenException("code generation needs the loss to compare with an input of the network",
                        term.origin());
            }
        }
        Node labels = terms.stream().filter(t -> t.op() instanceof CrossEntropy).findFirst().orElse(null);
        String kind = labels != null ? "LABELS" : targets.isEmpty() ? "INPUT" : "TARGETS";
        int classes = labels != null ? Sizes.last(train.node(labels.inputs().get(0)).type()) : 0;
        int perExample = labels != null ? (int) train.node(labels.inputs().get(1)).type().elementsPerExample() : 0;
        return new Signature(inputs, targets, outputs(model, infer), kind, classes, perExample);
    }

    /** The inputs of {@code graph} not named in {@code except}, in the order the source declares them. */
    private static List<Tensor> tensors(NetworkModel model, Graph graph, List<String> except) {
        // The forward graph holds the inputs in declaration order; one that only the loss reads may be
        // missing from it, and comes after.
        List<Node> declared = new ArrayList<>(model.graph().inputs());
        declared.addAll(graph.inputs());
        List<String> read = graph.inputs().stream().map(n -> ((Input) n.op()).name()).toList();
        List<Tensor> tensors = new ArrayList<>();
        for (Node n : declared) {
            String name = ((Input) n.op()).name();
            if (read.contains(name) && !except.contains(name) && tensors.stream().noneMatch(t -> t.name().equals(name))) {
                tensors.add(new Tensor(name, n.type().dtype() == DType.I32, Sizes.perExample(n.type())));
            }
        }
        return tensors;
    }

    private static List<Tensor> outputs(NetworkModel model, Graph infer) throws CodegenException {
        if (infer.outputs().isEmpty()) {
            throw new CodegenException("network `" + model.name() + "` has no output to predict; declare one with `output`",
                    new Origin(model.span(), ""));
        }
        List<Tensor> outputs = new ArrayList<>();
        for (var output : infer.outputs().entrySet()) {
            Node n = infer.node(output.getValue());
            if (n.type().dtype() != DType.F32) {
                throw new CodegenException("output `" + output.getKey() + "` holds ints; generated classes return"
                        + " float outputs only", n.origin());
            }
            outputs.add(new Tensor(output.getKey(), false, Sizes.perExample(n.type())));
        }
        return outputs;
    }
}
