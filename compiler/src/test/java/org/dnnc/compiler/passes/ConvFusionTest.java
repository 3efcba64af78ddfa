package org.dnnc.compiler.passes;

import static com.google.common.truth.Truth.assertThat;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.List;
import org.dnnc.compiler.Compiler;
import org.dnnc.compiler.autodiff.Differentiator;
import org.dnnc.compiler.diag.SourceFile;
import org.dnnc.compiler.ir.Activation;
import org.dnnc.compiler.ir.ActivationKind;
import org.dnnc.compiler.ir.BiasAdd;
import org.dnnc.compiler.ir.Conv2d;
import org.dnnc.compiler.ir.ConvBiasActivation;
import org.dnnc.compiler.ir.Dim;
import org.dnnc.compiler.ir.Graph;
import org.dnnc.compiler.ir.GraphBuilder;
import org.dnnc.compiler.ir.IrPrinter;
import org.dnnc.compiler.ir.IrTypeException;
import org.dnnc.compiler.ir.Node;
import org.dnnc.compiler.ir.Origin;
import org.dnnc.compiler.ir.TensorType;
import org.dnnc.compiler.ir.Verifier;
import org.junit.jupiter.api.Test;

/**
 * {@code fuse-conv}: dumps before and after, the candidates it must leave alone and why, and that
 * the fused graph computes the same outputs (gradients included) as the original, by the
 * double-precision reference interpreter on random inputs and parameters.
 */
class ConvFusionTest {
    private static final int BATCH = 3;

    private static TensorType image(int c, int h, int w) {
        return TensorType.f32(Dim.BATCH, Dim.of(c), Dim.of(h), Dim.of(w));
    }

    private static TensorType kernel(int o, int c, int kh, int kw) {
        return TensorType.f32(Dim.of(o), Dim.of(c), Dim.of(kh), Dim.of(kw));
    }

    private static TensorType vector(int c) {
        return TensorType.f32(Dim.of(c));
    }

    /**
     * Five convolutions, each followed by a bias_add: with leaky_relu (all three fuse), along axis
     * -3 without activation (conv and bias fuse as identity), with an elu whose pre-activation is
     * also an output (conv and bias fuse, the elu cannot), a convolution whose own result is an
     * output (nothing fuses), and a bias along the width rather than the channels (nothing fuses).
     */
    private static Graph convolutions() throws IrTypeException {
        var b = new GraphBuilder("Convs");
        int x = b.input("x", image(2, 5, 5), Origin.NONE);
        int w1 = b.param("w1", kernel(3, 2, 3, 3), true, "he_normal", Origin.NONE);
        int b1 = b.param("b1", vector(3), true, "zeros", Origin.NONE);
        int c1 = b.add(new Conv2d(1, 1, 1, 1, 1, 1), List.of(x, w1), Origin.NONE);
        int a1 = b.add(new BiasAdd(1), List.of(c1, b1), Origin.NONE);
        int h1 = b.add(new Activation(ActivationKind.LEAKY_RELU, 0.2), List.of(a1), Origin.NONE);
        int w2 = b.param("w2", kernel(4, 3, 2, 2), true, "he_normal", Origin.NONE);
        int b2 = b.param("b2", vector(4), true, "zeros", Origin.NONE);
        int c2 = b.add(new Conv2d(2, 2, 0, 0, 1, 1), List.of(h1, w2), Origin.NONE);
        int a2 = b.add(new BiasAdd(-3), List.of(c2, b2), Origin.NONE);
        int w3 = b.param("w3", kernel(4, 4, 1, 1), true, "he_normal", Origin.NONE);
        int b3 = b.param("b3", vector(4), true, "zeros", Origin.NONE);
        int c3 = b.add(new Conv2d(1, 1, 0, 0, 0, 0), List.of(a2, w3), Origin.NONE);
        int a3 = b.add(new BiasAdd(1), List.of(c3, b3), Origin.NONE);
        int e3 = b.add(new Activation(ActivationKind.ELU, 1.0), List.of(a3), Origin.NONE);
        int w4 = b.param("w4", kernel(2, 4, 3, 3), true, "he_normal", Origin.NONE);
        int b4 = b.param("b4", vector(2), true, "zeros", Origin.NONE);
        int c4 = b.add(new Conv2d(1, 1, 1, 1, 1, 1), List.of(e3, w4), Origin.NONE);
        int a4 = b.add(new BiasAdd(1), List.of(c4, b4), Origin.NONE);
        int t4 = b.add(new Activation(ActivationKind.TANH, 0), List.of(a4), Origin.NONE);
        int w5 = b.param("w5", kernel(2, 2, 1, 1), true, "he_normal", Origin.NONE);
        int b5 = b.param("b5", vector(3), true, "zeros", Origin.NONE);
        int c5 = b.add(new Conv2d(1, 1, 0, 0, 0, 0), List.of(t4, w5), Origin.NONE);
        int a5 = b.add(new BiasAdd(-1), List.of(c5, b5), Origin.NONE);
        int r5 = b.add(new Activation(ActivationKind.RELU, 0), List.of(a5), Origin.NONE);
        b.output("out", r5);
        b.output("pre", a3);
        b.output("raw", c4);
        return b.build();
    }

    @Test
    void fusesConvolutionBiasAndActivation() throws IrTypeException {
        Graph before = convolutions();
        assertThat(IrPrinter.print(before)).isEqualTo("""
                graph Convs {
                  %0 = input "x" : f32[N,2,5,5]
                  %1 = param "w1" {init=he_normal} : f32[3,2,3,3]
                  %2 = param "b1" {init=zeros} : f32[3]
                  %3 = conv2d(%0, %1) {stride=[1,1], pad=[1,1,1,1]} : f32[N,3,5,5]
                  %4 = bias_add(%3, %2) {axis=1} : f32[N,3,5,5]
                  %5 = leaky_relu(%4) {alpha=0.2} : f32[N,3,5,5]
                  %6 = param "w2" {init=he_normal} : f32[4,3,2,2]
                  %7 = param "b2" {init=zeros} : f32[4]
                  %8 = conv2d(%5, %6) {stride=[2,2], pad=[0,0,1,1]} : f32[N,4,3,3]
                  %9 = bias_add(%8, %7) {axis=-3} : f32[N,4,3,3]
                  %10 = param "w3" {init=he_normal} : f32[4,4,1,1]
                  %11 = param "b3" {init=zeros} : f32[4]
                  %12 = conv2d(%9, %10) {stride=[1,1], pad=[0,0,0,0]} : f32[N,4,3,3]
                  %13 = bias_add(%12, %11) {axis=1} : f32[N,4,3,3]
                  %14 = elu(%13) {alpha=1} : f32[N,4,3,3]
                  %15 = param "w4" {init=he_normal} : f32[2,4,3,3]
                  %16 = param "b4" {init=zeros} : f32[2]
                  %17 = conv2d(%14, %15) {stride=[1,1], pad=[1,1,1,1]} : f32[N,2,3,3]
                  %18 = bias_add(%17, %16) {axis=1} : f32[N,2,3,3]
                  %19 = tanh(%18) : f32[N,2,3,3]
                  %20 = param "w5" {init=he_normal} : f32[2,2,1,1]
                  %21 = param "b5" {init=zeros} : f32[3]
                  %22 = conv2d(%19, %20) {stride=[1,1], pad=[0,0,0,0]} : f32[N,2,3,3]
                  %23 = bias_add(%22, %21) {axis=-1} : f32[N,2,3,3]
                  %24 = relu(%23) : f32[N,2,3,3]
                  return out=%24, pre=%13, raw=%17
                }
                """);
        Graph after = new ConvFusion().run(before);
        Verifier.verify(after);
        assertThat(IrPrinter.print(after)).isEqualTo("""
                graph Convs {
                  %0 = input "x" : f32[N,2,5,5]
                  %1 = param "w1" {init=he_normal} : f32[3,2,3,3]
                  %2 = param "b1" {init=zeros} : f32[3]
                  %5 = conv2d_bias_leaky_relu(%0, %1, %2) {stride=[1,1], pad=[1,1,1,1], alpha=0.2} : f32[N,3,5,5]
                  %6 = param "w2" {init=he_normal} : f32[4,3,2,2]
                  %7 = param "b2" {init=zeros} : f32[4]
                  %9 = conv2d_bias_identity(%5, %6, %7) {stride=[2,2], pad=[0,0,1,1]} : f32[N,4,3,3]
                  %10 = param "w3" {init=he_normal} : f32[4,4,1,1]
                  %11 = param "b3" {init=zeros} : f32[4]
                  %13 = conv2d_bias_identity(%9, %10, %11) {stride=[1,1], pad=[0,0,0,0]} : f32[N,4,3,3]
                  %14 = elu(%13) {alpha=1} : f32[N,4,3,3]
                  %15 = param "w4" {init=he_normal} : f32[2,4,3,3]
                  %16 = param "b4" {init=zeros} : f32[2]
                  %17 = conv2d(%14, %15) {stride=[1,1], pad=[1,1,1,1]} : f32[N,2,3,3]
                  %18 = bias_add(%17, %16) {axis=1} : f32[N,2,3,3]
                  %19 = tanh(%18) : f32[N,2,3,3]
                  %20 = param "w5" {init=he_normal} : f32[2,2,1,1]
                  %21 = param "b5" {init=zeros} : f32[3]
                  %22 = conv2d(%19, %20) {stride=[1,1], pad=[0,0,0,0]} : f32[N,2,3,3]
                  %23 = bias_add(%22, %21) {axis=-1} : f32[N,2,3,3]
                  %24 = relu(%23) : f32[N,2,3,3]
                  return out=%24, pre=%13, raw=%17
                }
                """);
        SameOutputs.assertSameOutputs(before, after, BATCH, 11);
        // Nothing is left to fuse, and the fused graph is a fixed point.
        assertThat(new ConvFusion().run(after)).isEqualTo(after);
    }

    @Test
    void explainsTheCandidatesReadElsewhere() throws IrTypeException {
        Graph before = convolutions();
        assertThat(new ConvFusion().explain(before)).containsExactly(
                "bias_add %13 not fused with elu %14: its result is also read by %14 elu, the output pre",
                "conv2d %17 not fused with bias_add %18: its result is also read by %18 bias_add, the output raw")
                .inOrder();
        // After fusion the bias_add %13 is part of a convolution; the shared conv2d %17 is still there.
        assertThat(new ConvFusion().explain(new ConvFusion().run(before))).containsExactly(
                "conv2d %17 not fused with bias_add %18: its result is also read by %18 bias_add, the output raw");
    }

    @Test
    void aConvolutionReadTwiceIsLeftAlone() throws IrTypeException {
        var b = new GraphBuilder("Shared");
        int x = b.input("x", image(2, 4, 4), Origin.NONE);
        int w = b.param("w", kernel(3, 2, 3, 3), true, "he_normal", Origin.NONE);
        int bias = b.param("b", vector(3), true, "zeros", Origin.NONE);
        int c = b.add(new Conv2d(1, 1, 1, 1, 1, 1), List.of(x, w), Origin.NONE);
        int a = b.add(new BiasAdd(1), List.of(c, bias), Origin.NONE);
        int r = b.add(new Activation(ActivationKind.RELU, 0), List.of(a), Origin.NONE);
        // A second reader of the convolution that is a node, not an output.
        int s = b.add(new Activation(ActivationKind.SIGMOID, 0), List.of(c), Origin.NONE);
        b.output("y", r);
        b.output("gate", s);
        Graph before = b.build();
        assertThat(new ConvFusion().run(before)).isEqualTo(before);
        assertThat(new ConvFusion().explain(before)).containsExactly(
                "conv2d %3 not fused with bias_add %4: its result is also read by %4 bias_add, %6 sigmoid");
    }

    @Test
    void aBiasAddReadByTwoActivationsFusesOnlyWithTheConvolution() throws IrTypeException {
        var b = new GraphBuilder("Fork");
        int x = b.input("x", image(2, 4, 4), Origin.NONE);
        int w = b.param("w", kernel(3, 2, 3, 3), true, "he_normal", Origin.NONE);
        int bias = b.param("b", vector(3), true, "zeros", Origin.NONE);
        int c = b.add(new Conv2d(1, 1, 1, 1, 1, 1), List.of(x, w), Origin.NONE);
        int a = b.add(new BiasAdd(1), List.of(c, bias), Origin.NONE);
        b.output("relu", b.add(new Activation(ActivationKind.RELU, 0), List.of(a), Origin.NONE));
        b.output("tanh", b.add(new Activation(ActivationKind.TANH, 0), List.of(a), Origin.NONE));
        Graph before = b.build();
        Graph after = new ConvFusion().run(before);
        Verifier.verify(after);
        assertThat(IrPrinter.print(after)).isEqualTo("""
                graph Fork {
                  %0 = input "x" : f32[N,2,4,4]
                  %1 = param "w" {init=he_normal} : f32[3,2,3,3]
                  %2 = param "b" {init=zeros} : f32[3]
                  %4 = conv2d_bias_identity(%0, %1, %2) {stride=[1,1], pad=[1,1,1,1]} : f32[N,3,4,4]
                  %5 = relu(%4) : f32[N,3,4,4]
                  %6 = tanh(%4) : f32[N,3,4,4]
                  return relu=%5, tanh=%6
                }
                """);
        assertThat(new ConvFusion().explain(before)).containsExactly(
                "bias_add %4 not fused with relu %5: its result is also read by %5 relu, %6 tanh",
                "bias_add %4 not fused with tanh %6: its result is also read by %5 relu, %6 tanh").inOrder();
        SameOutputs.assertSameOutputs(before, after, BATCH, 5);
    }

    private static final String SOURCE = """
            network Conv {
                input x: float[2, 5, 5];
                input label: int;
                logits = x -> conv2d(3, 3, padding: 1) -> relu -> conv2d(2, 3, stride: 2) -> sigmoid
                           -> flatten -> dense(2);
                output p = softmax(logits);
                train { loss = cross_entropy(logits, label); }
            }
            """;

    /**
     * In a training program the activation's output stays (its gradient reads it) under the same id,
     * so the backward nodes are untouched, and every gradient comes out the same.
     */
    @Test
    void fusesTheForwardConvolutionsOfATrainingProgram() throws Exception {
        Graph forward = Compiler.compile(new SourceFile("conv.dnn", SOURCE)).networks().get(0).graph();
        Graph before = Differentiator.train(forward).graph();
        assertThat(IrPrinter.print(before).replaceAll(" +#.*", "")).isEqualTo("""
                graph Conv {
                  %0 = input "x" : f32[N,2,5,5]
                  %1 = input "label" : i32[N]
                  %2 = param "logits.conv2d1.weight" {init=glorot_uniform} : f32[3,2,3,3]
                  %3 = conv2d(%0, %2) {stride=[1,1], pad=[1,1,1,1]} : f32[N,3,5,5]
                  %4 = param "logits.conv2d1.bias" {init=zeros} : f32[3]
                  %5 = bias_add(%3, %4) {axis=1} : f32[N,3,5,5]
                  %6 = relu(%5) : f32[N,3,5,5]
                  %7 = param "logits.conv2d2.weight" {init=glorot_uniform} : f32[2,3,3,3]
                  %8 = conv2d(%6, %7) {stride=[2,2], pad=[0,0,0,0]} : f32[N,2,2,2]
                  %9 = param "logits.conv2d2.bias" {init=zeros} : f32[2]
                  %10 = bias_add(%8, %9) {axis=1} : f32[N,2,2,2]
                  %11 = sigmoid(%10) : f32[N,2,2,2]
                  %12 = flatten(%11) : f32[N,8]
                  %13 = param "logits.dense1.weight" {init=glorot_uniform} : f32[2,8]
                  %14 = matmul(%12, %13) : f32[N,2]
                  %15 = param "logits.dense1.bias" {init=zeros} : f32[2]
                  %16 = bias_add(%14, %15) {axis=-1} : f32[N,2]
                  %17 = softmax(%16) {axis=1} : f32[N,2]
                  %18 = cross_entropy(%16, %1) : f32[]
                  %19 = constant() {value=1} : f32[]
                  %20 = cross_entropy_grad(%16, %1, %19) : f32[N,2]
                  %21 = bias_grad(%20) {axis=-1} : f32[2]
                  %22 = matmul_grad_input(%20, %13) : f32[N,8]
                  %23 = matmul_grad_weight(%20, %12) : f32[2,8]
                  %24 = reshape(%22) {shape=[2,2,2]} : f32[N,2,2,2]
                  %25 = sigmoid_grad(%24, %11) : f32[N,2,2,2]
                  %26 = bias_grad(%25) {axis=1} : f32[2]
                  %27 = conv2d_grad_input(%25, %7) {stride=[2,2], pad=[0,0,0,0], input=[5,5]} : f32[N,3,5,5]
                  %28 = conv2d_grad_weight(%25, %6) {stride=[2,2], pad=[0,0,0,0], kernel=[3,3]} : f32[2,3,3,3]
                  %29 = relu_grad(%27, %6) : f32[N,3,5,5]
                  %30 = bias_grad(%29) {axis=1} : f32[3]
                  %31 = conv2d_grad_weight(%29, %0) {stride=[1,1], pad=[1,1,1,1], kernel=[3,3]} : f32[3,2,3,3]
                  return p=%17, loss=%18, grad:logits.conv2d1.weight=%31, grad:logits.conv2d1.bias=%30, \
                grad:logits.conv2d2.weight=%28, grad:logits.conv2d2.bias=%26, grad:logits.dense1.weight=%23, \
                grad:logits.dense1.bias=%21
                }
                """);
        Graph after = new ConvFusion().run(before);
        Verifier.verify(after);
        assertThat(IrPrinter.print(after).replaceAll(" +#.*", "")).isEqualTo("""
                graph Conv {
                  %0 = input "x" : f32[N,2,5,5]
                  %1 = input "label" : i32[N]
                  %2 = param "logits.conv2d1.weight" {init=glorot_uniform} : f32[3,2,3,3]
                  %4 = param "logits.conv2d1.bias" {init=zeros} : f32[3]
                  %6 = conv2d_bias_relu(%0, %2, %4) {stride=[1,1], pad=[1,1,1,1]} : f32[N,3,5,5]
                  %7 = param "logits.conv2d2.weight" {init=glorot_uniform} : f32[2,3,3,3]
                  %9 = param "logits.conv2d2.bias" {init=zeros} : f32[2]
                  %11 = conv2d_bias_sigmoid(%6, %7, %9) {stride=[2,2], pad=[0,0,0,0]} : f32[N,2,2,2]
                  %12 = flatten(%11) : f32[N,8]
                  %13 = param "logits.dense1.weight" {init=glorot_uniform} : f32[2,8]
                  %14 = matmul(%12, %13) : f32[N,2]
                  %15 = param "logits.dense1.bias" {init=zeros} : f32[2]
                  %16 = bias_add(%14, %15) {axis=-1} : f32[N,2]
                  %17 = softmax(%16) {axis=1} : f32[N,2]
                  %18 = cross_entropy(%16, %1) : f32[]
                  %19 = constant() {value=1} : f32[]
                  %20 = cross_entropy_grad(%16, %1, %19) : f32[N,2]
                  %21 = bias_grad(%20) {axis=-1} : f32[2]
                  %22 = matmul_grad_input(%20, %13) : f32[N,8]
                  %23 = matmul_grad_weight(%20, %12) : f32[2,8]
                  %24 = reshape(%22) {shape=[2,2,2]} : f32[N,2,2,2]
                  %25 = sigmoid_grad(%24, %11) : f32[N,2,2,2]
                  %26 = bias_grad(%25) {axis=1} : f32[2]
                  %27 = conv2d_grad_input(%25, %7) {stride=[2,2], pad=[0,0,0,0], input=[5,5]} : f32[N,3,5,5]
                  %28 = conv2d_grad_weight(%25, %6) {stride=[2,2], pad=[0,0,0,0], kernel=[3,3]} : f32[2,3,3,3]
                  %29 = relu_grad(%27, %6) : f32[N,3,5,5]
                  %30 = bias_grad(%29) {axis=1} : f32[3]
                  %31 = conv2d_grad_weight(%29, %0) {stride=[1,1], pad=[1,1,1,1], kernel=[3,3]} : f32[3,2,3,3]
                  return p=%17, loss=%18, grad:logits.conv2d1.weight=%31, grad:logits.conv2d1.bias=%30, \
                grad:logits.conv2d2.weight=%28, grad:logits.conv2d2.bias=%26, grad:logits.dense1.weight=%23, \
                grad:logits.dense1.bias=%21
                }
                """);
        assertThat(new ConvFusion().explain(before)).isEmpty();
        SameOutputs.assertSameOutputs(before, after, BATCH, 23);
    }

    /** The numerical comparison is strict enough to see an epilogue with the wrong activation. */
    @Test
    void theNumericalCheckCatchesAWrongEpilogue() throws IrTypeException {
        Graph before = convolutions();
        Graph after = new ConvFusion().run(before);
        List<Node> nodes = new ArrayList<>();
        for (Node n : after.nodes()) {
            nodes.add(n.op() instanceof ConvBiasActivation f && f.activation() == ActivationKind.LEAKY_RELU
                    ? new Node(n.id(), new ConvBiasActivation(f.conv(), ActivationKind.RELU, 0), n.inputs(), n.type(),
                            n.origin())
                    : n);
        }
        Graph wrong = new Graph(after.name(), nodes, after.outputs());
        Verifier.verify(wrong);
        assertThrows(AssertionError.class, () -> SameOutputs.assertSameOutputs(before, wrong, BATCH, 11));
    }
}
