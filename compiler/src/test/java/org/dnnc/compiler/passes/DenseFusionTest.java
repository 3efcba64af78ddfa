package org.dnnc.compiler.passes;

import static com.google.common.truth.Truth.assertThat;

import java.util.List;
import org.dnnc.compiler.ir.Activation;
import org.dnnc.compiler.ir.ActivationKind;
import org.dnnc.compiler.ir.BiasAdd;
import org.dnnc.compiler.ir.Dim;
import org.dnnc.compiler.ir.Graph;
import org.dnnc.compiler.ir.GraphBuilder;
import org.dnnc.compiler.ir.IrPrinter;
import org.dnnc.compiler.ir.IrTypeException;
import org.dnnc.compiler.ir.MatMul;
import org.dnnc.compiler.ir.Origin;
import org.dnnc.compiler.ir.Softmax;
import org.dnnc.compiler.ir.TensorType;
import org.dnnc.compiler.ir.Verifier;
import org.junit.jupiter.api.Test;

class DenseFusionTest {

    /**
     * Three dense layers: with leaky_relu (fused), without activation (fused as identity), and one
     * whose pre-activation is also an output (the matmul and bias_add fuse, the activation cannot).
     */
    private static Graph layers() throws IrTypeException {
        var b = new GraphBuilder("Layers");
        int x = b.input("x", TensorType.f32(Dim.BATCH, Dim.of(4)), Origin.NONE);
        int w1 = b.param("w1", TensorType.f32(Dim.of(3), Dim.of(4)), true, "he_normal", Origin.NONE);
        int b1 = b.param("b1", TensorType.f32(Dim.of(3)), true, "zeros", Origin.NONE);
        int m1 = b.add(new MatMul(), List.of(x, w1), Origin.NONE);
        int a1 = b.add(new BiasAdd(-1), List.of(m1, b1), Origin.NONE);
        int h1 = b.add(new Activation(ActivationKind.LEAKY_RELU, 0.1), List.of(a1), Origin.NONE);
        int w2 = b.param("w2", TensorType.f32(Dim.of(3), Dim.of(3)), true, "he_normal", Origin.NONE);
        int b2 = b.param("b2", TensorType.f32(Dim.of(3)), true, "zeros", Origin.NONE);
        int m2 = b.add(new MatMul(), List.of(h1, w2), Origin.NONE);
        int logits = b.add(new BiasAdd(1), List.of(m2, b2), Origin.NONE);
        int m3 = b.add(new MatMul(), List.of(logits, w2), Origin.NONE);
        int a3 = b.add(new BiasAdd(-1), List.of(m3, b2), Origin.NONE);
        int t3 = b.add(new Activation(ActivationKind.TANH, 0), List.of(a3), Origin.NONE);
        b.output("probs", b.add(new Softmax(1), List.of(logits), Origin.NONE));
        b.output("pre", a3);
        b.output("post", t3);
        return b.build();
    }

    @Test
    void fusesMatmulBiasAndActivation() throws IrTypeException {
        Graph before = layers();
        assertThat(IrPrinter.print(before)).isEqualTo("""
                graph Layers {
                  %0 = input "x" : f32[N,4]
                  %1 = param "w1" {init=he_normal} : f32[3,4]
                  %2 = param "b1" {init=zeros} : f32[3]
                  %3 = matmul(%0, %1) : f32[N,3]
                  %4 = bias_add(%3, %2) {axis=-1} : f32[N,3]
                  %5 = leaky_relu(%4) {alpha=0.1} : f32[N,3]
                  %6 = param "w2" {init=he_normal} : f32[3,3]
                  %7 = param "b2" {init=zeros} : f32[3]
                  %8 = matmul(%5, %6) : f32[N,3]
                  %9 = bias_add(%8, %7) {axis=1} : f32[N,3]
                  %10 = matmul(%9, %6) : f32[N,3]
                  %11 = bias_add(%10, %7) {axis=-1} : f32[N,3]
                  %12 = tanh(%11) : f32[N,3]
                  %13 = softmax(%9) {axis=1} : f32[N,3]
                  return probs=%13, pre=%11, post=%12
                }
                """);
        Graph after = new DenseFusion().run(before);
        Verifier.verify(after);
        assertThat(IrPrinter.print(after)).isEqualTo("""
                graph Layers {
                  %0 = input "x" : f32[N,4]
                  %1 = param "w1" {init=he_normal} : f32[3,4]
                  %2 = param "b1" {init=zeros} : f32[3]
                  %5 = dense(%0, %1, %2) {activation=leaky_relu, alpha=0.1} : f32[N,3]
                  %6 = param "w2" {init=he_normal} : f32[3,3]
                  %7 = param "b2" {init=zeros} : f32[3]
                  %9 = dense(%5, %6, %7) {activation=identity} : f32[N,3]
                  %11 = dense(%9, %6, %7) {activation=identity} : f32[N,3]
                  %12 = tanh(%11) : f32[N,3]
                  %13 = softmax(%9) {axis=1} : f32[N,3]
                  return probs=%13, pre=%11, post=%12
                }
                """);
    }

    @Test
    void aMatmulReadTwiceIsLeftAlone() throws IrTypeException {
        var b = new GraphBuilder("Shared");
        int x = b.input("x", TensorType.f32(Dim.BATCH, Dim.of(4)), Origin.NONE);
        int w = b.param("w", TensorType.f32(Dim.of(4), Dim.of(4)), true, "he_normal", Origin.NONE);
        int bias = b.param("b", TensorType.f32(Dim.of(4)), true, "zeros", Origin.NONE);
        int m = b.add(new MatMul(), List.of(x, w), Origin.NONE);
        b.output("y", b.add(new BiasAdd(-1), List.of(m, bias), Origin.NONE));
        b.output("raw", m);
        Graph before = b.build();
        assertThat(new DenseFusion().run(before)).isEqualTo(before);
    }
}
