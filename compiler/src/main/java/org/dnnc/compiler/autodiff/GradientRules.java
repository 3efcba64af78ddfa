package org.dnnc.compiler.autodiff;

import java.util.List;
import org.dnnc.compiler.ir.Activation;
import org.dnnc.compiler.ir.ActivationGrad;
import org.dnnc.compiler.ir.BatchNorm;
import org.dnnc.compiler.ir.BatchNormGradGamma;
import org.dnnc.compiler.ir.BatchNormGradInput;
import org.dnnc.compiler.ir.BceWithLogits;
import org.dnnc.compiler.ir.BceWithLogitsGrad;
import org.dnnc.compiler.ir.BiasAdd;
import org.dnnc.compiler.ir.BiasGrad;
import org.dnnc.compiler.ir.Binary;
import org.dnnc.compiler.ir.BinaryKind;
import org.dnnc.compiler.ir.Concat;
import org.dnnc.compiler.ir.Conv2d;
import org.dnnc.compiler.ir.Conv2dGradInput;
import org.dnnc.compiler.ir.Conv2dGradWeight;
import org.dnnc.compiler.ir.CrossEntropy;
import org.dnnc.compiler.ir.CrossEntropyGrad;
import org.dnnc.compiler.ir.Dim;
import org.dnnc.compiler.ir.Flatten;
import org.dnnc.compiler.ir.GlobalAvgPool;
import org.dnnc.compiler.ir.GlobalAvgPoolGrad;
import org.dnnc.compiler.ir.IrTypeException;
import org.dnnc.compiler.ir.LayerNorm;
import org.dnnc.compiler.ir.LayerNormGradGamma;
import org.dnnc.compiler.ir.LayerNormGradInput;
import org.dnnc.compiler.ir.LogSoftmax;
import org.dnnc.compiler.ir.LogSoftmaxGrad;
import org.dnnc.compiler.ir.MatMul;
import org.dnnc.compiler.ir.MatMulGradInput;
import org.dnnc.compiler.ir.MatMulGradWeight;
import org.dnnc.compiler.ir.MseGrad;
import org.dnnc.compiler.ir.MseLoss;
import org.dnnc.compiler.ir.Node;
import org.dnnc.compiler.ir.Op;
import org.dnnc.compiler.ir.Pool2d;
import org.dnnc.compiler.ir.Pool2dGrad;
import org.dnnc.compiler.ir.Reshape;
import org.dnnc.compiler.ir.Scale;
import org.dnnc.compiler.ir.Slice;
import org.dnnc.compiler.ir.Softmax;
import org.dnnc.compiler.ir.SoftmaxGrad;
import org.dnnc.compiler.ir.TensorType;

/**
 * The reverse-mode rule of each op: given a node and the gradient {@code g} of its result, emits
 * the gradient contribution for each operand that needs one.
 */
final class GradientRules {
    private GradientRules() {}

    /** What a rule may do: read the graph being built, emit nodes, and pass gradients to operands. */
    interface Emitter {
        boolean needsGradient(int id);

        TensorType type(int id);

        int emit(Op op, List<Integer> operands, Node at) throws IrTypeException;

        void contribute(int operand, int gradient);
    }

    static void apply(Node n, int g, Emitter e) throws IrTypeException, AutodiffException {
        Op op = n.op();
        List<Integer> in = n.inputs();
        if (op instanceof MatMul) {
            int x = in.get(0);
            int w = in.get(1);
            to(e, x, () -> e.emit(new MatMulGradInput(), List.of(g, w), n));
            to(e, w, () -> e.emit(new MatMulGradWeight(), List.of(g, x), n));
        } else if (op instanceof BiasAdd bias) {
            to(e, in.get(0), () -> g);
            to(e, in.get(1), () -> e.emit(new BiasGrad(bias.axis()), List.of(g), n));
        } else if (op instanceof Activation a) {
            to(e, in.get(0), () -> e.emit(new ActivationGrad(a.kind(), a.alpha()), List.of(g, n.id()), n));
        } else if (op instanceof Softmax s) {
            to(e, in.get(0), () -> e.emit(new SoftmaxGrad(s.axis()), List.of(g, n.id()), n));
        } else if (op instanceof LogSoftmax s) {
            to(e, in.get(0), () -> e.emit(new LogSoftmaxGrad(s.axis()), List.of(g, n.id()), n));
        } else if (op instanceof Binary b) {
            binary(n, b.kind(), g, e);
        } else if (op instanceof Scale s) {
            to(e, in.get(0), () -> e.emit(new Scale(s.factor()), List.of(g), n));
        } else if (op instanceof Flatten || op instanceof Reshape) {
            int x = in.get(0);
            List<Dim> perExample = e.type(x).dims().subList(1, e.type(x).rank());
            to(e, x, () -> e.emit(new Reshape(perExample), List.of(g), n));
        } else if (op instanceof Concat c) {
            int offset = 0;
            for (int x : in) {
                int axis = c.axis() < 0 ? c.axis() + e.type(x).rank() : c.axis();
                int length = e.type(x).dim(axis).bound();
                int start = offset;
                to(e, x, () -> e.emit(new Slice(c.axis(), start, length), List.of(g), n));
                offset += length;
            }
        } else if (op instanceof CrossEntropy) {
            to(e, in.get(0), () -> e.emit(new CrossEntropyGrad(), List.of(in.get(0), in.get(1), g), n));
        } else if (op instanceof MseLoss) {
            loss(n, new MseGrad(), g, e);
        } else if (op instanceof BceWithLogits) {
            loss(n, new BceWithLogitsGrad(), g, e);
        } else if (op instanceof Conv2d conv) {
            int x = in.get(0);
            int w = in.get(1);
            TensorType xt = e.type(x);
            TensorType wt = e.type(w);
            to(e, x, () -> e.emit(new Conv2dGradInput(conv, xt.dim(2).bound(), xt.dim(3).bound()), List.of(g, w), n));
            to(e, w, () -> e.emit(new Conv2dGradWeight(conv, wt.dim(2).bound(), wt.dim(3).bound()), List.of(g, x), n));
        } else if (op instanceof Pool2d pool) {
            to(e, in.get(0), () -> e.emit(new Pool2dGrad(pool), List.of(g, in.get(0)), n));
        } else if (op instanceof GlobalAvgPool) {
            TensorType xt = e.type(in.get(0));
            to(e, in.get(0), () -> e.emit(new GlobalAvgPoolGrad(xt.dim(2).bound(), xt.dim(3).bound()), List.of(g), n));
        } else if (op instanceof BatchNorm bn) {
            int x = in.get(0);
            to(e, x, () -> e.emit(new BatchNormGradInput(bn.eps()), List.of(g, x, in.get(1)), n));
            to(e, in.get(1), () -> e.emit(new BatchNormGradGamma(bn.eps()), List.of(g, x), n));
            to(e, in.get(2), () -> e.emit(new BiasGrad(1), List.of(g), n));
        } else if (op instanceof LayerNorm ln) {
            int x = in.get(0);
            to(e, x, () -> e.emit(new LayerNormGradInput(ln.eps()), List.of(g, x, in.get(1)), n));
            to(e, in.get(1), () -> e.emit(new LayerNormGradGamma(ln.eps()), List.of(g, x), n));
            to(e, in.get(2), () -> e.emit(new BiasGrad(-1), List.of(g), n));
        } else {
            throw new AutodiffException("training through `" + op.mnemonic() + "` is not supported yet", n.origin());
        }
    }

    private static void binary(Node n, BinaryKind kind, int g, Emitter e) throws IrTypeException {
        int a = n.inputs().get(0);
        int b = n.inputs().get(1);
        switch (kind) {
            case ADD -> {
                to(e, a, () -> g);
                to(e, b, () -> g);
            }
            case SUB -> {
                to(e, a, () -> g);
                to(e, b, () -> e.emit(new Scale(-1), List.of(g), n));
            }
            case MUL -> {
                to(e, a, () -> e.emit(new Binary(BinaryKind.MUL), List.of(g, b), n));
                to(e, b, () -> e.emit(new Binary(BinaryKind.MUL), List.of(g, a), n));
            }
        }
    }

    /** A loss of (prediction, target): the target's gradient is the prediction's negated. */
    private static void loss(Node n, Op gradOp, int g, Emitter e) throws IrTypeException {
        int prediction = n.inputs().get(0);
        int target = n.inputs().get(1);
        if (!e.needsGradient(prediction) && !e.needsGradient(target)) {
            return;
        }
        int dPrediction = e.emit(gradOp, List.of(prediction, target, g), n);
        to(e, prediction, () -> dPrediction);
        to(e, target, () -> e.emit(new Scale(-1), List.of(dPrediction), n));
    }

    /** Emits a gradient only for an operand that needs one: no work for inputs and constants. */
    private static void to(Emitter e, int operand, GradientSupplier gradient) throws IrTypeException {
        if (e.needsGradient(operand)) {
            e.contribute(operand, gradient.get());
        }
    }

    @FunctionalInterface
    private interface GradientSupplier {
        int get() throws IrTypeException;
    }
}
