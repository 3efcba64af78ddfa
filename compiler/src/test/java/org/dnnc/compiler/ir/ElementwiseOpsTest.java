package org.dnnc.compiler.ir;

import static org.dnnc.compiler.ir.OpCase.accepts;
import static org.dnnc.compiler.ir.OpCase.rejects;

import java.util.stream.Stream;

/** Typing of the ops whose result has the type of their input. */
class ElementwiseOpsTest extends OpTypingContract {

    static Stream<OpCase> accepted() {
        return Stream.of(
                accepts(new Activation(ActivationKind.RELU, 0), "f32[N,256]", "f32[N,256]"),
                accepts(new Activation(ActivationKind.LEAKY_RELU, 0.01), "f32[N,T,8]", "f32[N,T,8]"),
                accepts(new Softmax(1), "f32[N,10]", "f32[N,10]"),
                accepts(new Softmax(-1), "f32[N,T,10]", "f32[N,T,10]"),
                accepts(new LogSoftmax(1), "f32[N,10]", "f32[N,10]"),
                accepts(new Dropout(0.5), "f32[N,256]", "f32[N,256]"),
                accepts(new Dropout(0), "f32[N,256]", "f32[N,256]"),
                accepts(new Binary(BinaryKind.ADD), "f32[N,16,14,14]", "f32[N,16,14,14]", "f32[N,16,14,14]"),
                accepts(new Binary(BinaryKind.MUL), "i32[N]", "i32[N]", "i32[N]"),
                accepts(new Binary(BinaryKind.SUB), "f32[N,T,8]", "f32[N,T,8]", "f32[N,T,8]"),
                accepts(new Scale(0.5), "f32[N,10]", "f32[N,10]"));
    }

    static Stream<OpCase> rejected() {
        return Stream.of(
                rejects(new Activation(ActivationKind.SIGMOID, 0), "sigmoid: input must be f32, got i32[N]", "i32[N]"),
                rejects(new Activation(ActivationKind.ELU, Double.NaN), "elu: alpha must be a finite number, got NaN", "f32[N]"),
                rejects(new Activation(ActivationKind.TANH, 0), "tanh: expects 1 operand, got 0"),
                rejects(new Softmax(2), "softmax: axis 2 is out of range for f32[N,10] (rank 2)", "f32[N,10]"),
                rejects(new Softmax(-3), "softmax: axis -3 is out of range for f32[N,10] (rank 2)", "f32[N,10]"),
                rejects(new LogSoftmax(1), "log_softmax: expects 1 operand, got 2", "f32[N,10]", "f32[N,10]"),
                rejects(new Dropout(1.0), "dropout: rate must be at least 0 and below 1, got 1.0", "f32[N,10]"),
                rejects(new Dropout(-0.1), "dropout: rate must be at least 0 and below 1, got -0.1", "f32[N,10]"),
                rejects(new Binary(BinaryKind.ADD), "add: shapes differ: f32[N,16,14,14] vs f32[N,32,7,7]",
                        "f32[N,16,14,14]", "f32[N,32,7,7]"),
                rejects(new Binary(BinaryKind.SUB), "sub: shapes differ: f32[N,T,8] vs f32[N,8,8]", "f32[N,T,8]", "f32[N,8,8]"),
                rejects(new Binary(BinaryKind.ADD), "add: shapes differ: f32[N,T,8] vs f32[N,S,8]", "f32[N,T,8]", "f32[N,S,8]"),
                rejects(new Binary(BinaryKind.ADD), "add: shapes differ: f32[N,8] vs f32[8,8]", "f32[N,8]", "f32[8,8]"),
                rejects(new Binary(BinaryKind.MUL), "mul: element types differ: f32[N] vs i32[N]", "f32[N]", "i32[N]"),
                rejects(new Scale(Double.POSITIVE_INFINITY), "scale: factor must be a finite number, got Infinity", "f32[N]"),
                rejects(new Scale(2), "scale: input must be f32, got i32[N]", "i32[N]"));
    }
}
