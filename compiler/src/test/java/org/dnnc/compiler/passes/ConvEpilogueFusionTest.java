package org.dnnc.compiler.passes;

import static com.google.common.truth.Truth.assertThat;

import java.util.List;
import org.dnnc.compiler.ir.Activation;
import org.dnnc.compiler.ir.ActivationKind;
import org.dnnc.compiler.ir.BiasAdd;
import org.dnnc.compiler.ir.Binary;
import org.dnnc.compiler.ir.BinaryKind;
import org.dnnc.compiler.ir.Conv2d;
import org.dnnc.compiler.ir.Dim;
import org.dnnc.compiler.ir.Graph;
import org.dnnc.compiler.ir.GraphBuilder;
import org.dnnc.compiler.ir.IrPrinter;
import org.dnnc.compiler.ir.IrTypeException;
import org.dnnc.compiler.ir.Origin;
import org.dnnc.compiler.ir.TensorType;
import org.dnnc.compiler.ir.Verifier;
import org.junit.jupiter.api.Test;

/**
 * {@code fuse-conv-epilogue} (the CUDA target's): a residual block after {@code fuse-conv} and
 * {@code fuse-elementwise}, before and after, what it leaves alone, and that the result computes
 * the same outputs by the reference interpreter, which spreads a per-channel operand over its
 * channel's elements as the generated kernels do.
 */
class ConvEpilogueFusionTest {
    private static final int BATCH = 3;

    /**
     * A convolution with bias and ReLU whose result two nodes read (the next convolution and the
     * residual add), a second convolution with its bias that only the residual add reads, the add
     * and its ReLU, and a third convolution with only a bias, an output.
     */
    private static Graph block() throws IrTypeException {
        var b = new GraphBuilder("Block");
        int x = b.input("x", TensorType.f32(Dim.BATCH, Dim.of(2), Dim.of(4), Dim.of(4)), Origin.NONE);
        int w1 = b.param("w1", TensorType.f32(Dim.of(3), Dim.of(2), Dim.of(3), Dim.of(3)), true, "he_normal", Origin.NONE);
        int b1 = b.param("b1", TensorType.f32(Dim.of(3)), true, "normal", Origin.NONE);
        int c1 = b.add(new Conv2d(1, 1, 1, 1, 1, 1), List.of(x, w1), Origin.NONE);
        int h1 = b.add(new Activation(ActivationKind.RELU, 0),
                List.of(b.add(new BiasAdd(1), List.of(c1, b1), Origin.NONE)), Origin.NONE);
        int w2 = b.param("w2", TensorType.f32(Dim.of(3), Dim.of(3), Dim.of(3), Dim.of(3)), true, "he_normal", Origin.NONE);
        int b2 = b.param("b2", TensorType.f32(Dim.of(3)), true, "normal", Origin.NONE);
        int c2 = b.add(new Conv2d(1, 1, 1, 1, 1, 1), List.of(h1, w2), Origin.NONE);
        int a2 = b.add(new BiasAdd(1), List.of(c2, b2), Origin.NONE);
        int sum = b.add(new Binary(BinaryKind.ADD), List.of(a2, h1), Origin.NONE);
        int y = b.add(new Activation(ActivationKind.RELU, 0), List.of(sum), Origin.NONE);
        int w3 = b.param("w3", TensorType.f32(Dim.of(2), Dim.of(3), Dim.of(1), Dim.of(1)), true, "he_normal", Origin.NONE);
        int b3 = b.param("b3", TensorType.f32(Dim.of(2)), true, "normal", Origin.NONE);
        int c3 = b.add(new Conv2d(1, 1, 0, 0, 0, 0), List.of(y, w3), Origin.NONE);
        b.output("y", y);
        b.output("z", b.add(new BiasAdd(1), List.of(c3, b3), Origin.NONE));
        return new ElementwiseFusion().run(new ConvFusion().run(b.build()));
    }

    @Test
    void theBiasActivationAndResidualChainBecomeOneChainEach() throws IrTypeException {
        Graph before = block();
        assertThat(IrPrinter.print(before)).isEqualTo("""
                graph Block {
                  %0 = input "x" : f32[N,2,4,4]
                  %1 = param "w1" {init=he_normal} : f32[3,2,3,3]
                  %2 = param "b1" {init=normal} : f32[3]
                  %5 = conv2d_bias_relu(%0, %1, %2) {stride=[1,1], pad=[1,1,1,1]} : f32[N,3,4,4]
                  %6 = param "w2" {init=he_normal} : f32[3,3,3,3]
                  %7 = param "b2" {init=normal} : f32[3]
                  %9 = conv2d_bias_identity(%5, %6, %7) {stride=[1,1], pad=[1,1,1,1]} : f32[N,3,4,4]
                  %11 = fused(%9, %5) {body=t0 = add(in0, in1); t1 = relu(t0)} : f32[N,3,4,4]
                  %12 = param "w3" {init=he_normal} : f32[2,3,1,1]
                  %13 = param "b3" {init=normal} : f32[2]
                  %15 = conv2d_bias_identity(%11, %12, %13) {stride=[1,1], pad=[0,0,0,0]} : f32[N,2,4,4]
                  return y=%11, z=%15
                }
                """);
        Graph after = new ConvEpilogueFusion().run(before);
        Verifier.verify(after);
        // The first convolution's ReLU is read twice: its bias and ReLU are a chain of their own. The
        // second's bias opens the residual add's chain. The third's bias alone stays in its call.
        assertThat(IrPrinter.print(after)).isEqualTo("""
                graph Block {
                  %0 = input "x" : f32[N,2,4,4]
                  %1 = param "w1" {init=he_normal} : f32[3,2,3,3]
                  %2 = param "b1" {init=normal} : f32[3]
                  %16 = conv2d(%0, %1) {stride=[1,1], pad=[1,1,1,1]} : f32[N,3,4,4]
                  %5 = fused(%16, %2) {body=t0 = add(in0, in1); t1 = relu(t0), channels=in1} : f32[N,3,4,4]
                  %6 = param "w2" {init=he_normal} : f32[3,3,3,3]
                  %7 = param "b2" {init=normal} : f32[3]
                  %17 = conv2d(%5, %6) {stride=[1,1], pad=[1,1,1,1]} : f32[N,3,4,4]
                  %11 = fused(%17, %7, %5) {body=t0 = add(in0, in1); t1 = add(t0, in2); t2 = relu(t1), channels=in1} : f32[N,3,4,4]
                  %12 = param "w3" {init=he_normal} : f32[2,3,1,1]
                  %13 = param "b3" {init=normal} : f32[2]
                  %15 = conv2d_bias_identity(%11, %12, %13) {stride=[1,1], pad=[0,0,0,0]} : f32[N,2,4,4]
                  return y=%11, z=%15
                }
                """);
        SameOutputs.assertSameOutputs(before, after, BATCH, 5);
        assertThat(new ConvEpilogueFusion().run(after)).isEqualTo(after);
    }

    @Test
    void explainsAChainItCouldNotExtend() throws IrTypeException {
        assertThat(new ConvEpilogueFusion().explain(block())).containsExactly("conv2d_bias_relu %5 not fused with the"
                + " element-wise chain after it: its result is also read by %9 conv2d_bias_identity, %11 fused");
    }
}
