package org.dnnc.compiler.passes;

import static com.google.common.truth.Truth.assertThat;

import java.util.List;
import org.dnnc.compiler.ir.Activation;
import org.dnnc.compiler.ir.ActivationGrad;
import org.dnnc.compiler.ir.ActivationKind;
import org.dnnc.compiler.ir.Binary;
import org.dnnc.compiler.ir.BinaryKind;
import org.dnnc.compiler.ir.Dim;
import org.dnnc.compiler.ir.Graph;
import org.dnnc.compiler.ir.GraphBuilder;
import org.dnnc.compiler.ir.IrPrinter;
import org.dnnc.compiler.ir.IrTypeException;
import org.dnnc.compiler.ir.Origin;
import org.dnnc.compiler.ir.Scale;
import org.dnnc.compiler.ir.Softmax;
import org.dnnc.compiler.ir.TensorType;
import org.dnnc.compiler.ir.Verifier;
import org.junit.jupiter.api.Test;

class ElementwiseFusionTest {
    private static final TensorType T = TensorType.f32(Dim.BATCH, Dim.of(8));

    @Test
    void fusesSingleUseChainsAndKeepsSharedValues() throws IrTypeException {
        var b = new GraphBuilder("Chains");
        int x = b.input("x", T, Origin.NONE);
        int y = b.input("y", T, Origin.NONE);
        int s = b.add(new Binary(BinaryKind.ADD), List.of(x, y), Origin.NONE);
        int t = b.add(new Activation(ActivationKind.TANH, 0), List.of(s), Origin.NONE);
        int scaled = b.add(new Scale(0.5), List.of(t), Origin.NONE);
        int g = b.add(new ActivationGrad(ActivationKind.TANH, 0), List.of(scaled, t), Origin.NONE);
        int p = b.add(new Softmax(1), List.of(g), Origin.NONE);
        int r = b.add(new Activation(ActivationKind.RELU, 0), List.of(p), Origin.NONE);
        b.output("out", r);
        Graph before = b.build();
        assertThat(IrPrinter.print(before)).isEqualTo("""
                graph Chains {
                  %0 = input "x" : f32[N,8]
                  %1 = input "y" : f32[N,8]
                  %2 = add(%0, %1) : f32[N,8]
                  %3 = tanh(%2) : f32[N,8]
                  %4 = scale(%3) {factor=0.5} : f32[N,8]
                  %5 = tanh_grad(%4, %3) : f32[N,8]
                  %6 = softmax(%5) {axis=1} : f32[N,8]
                  %7 = relu(%6) : f32[N,8]
                  return out=%7
                }
                """);
        Graph after = new ElementwiseFusion().run(before);
        Verifier.verify(after);
        // tanh is read twice, so it ends a chain; softmax is not element-wise, and relu alone stays relu.
        assertThat(IrPrinter.print(after)).isEqualTo("""
                graph Chains {
                  %0 = input "x" : f32[N,8]
                  %1 = input "y" : f32[N,8]
                  %3 = fused(%0, %1) {body=t0 = add(in0, in1); t1 = tanh(t0)} : f32[N,8]
                  %5 = fused(%3) {body=t0 = scale{factor=0.5}(in0); t1 = tanh_grad(t0, in0)} : f32[N,8]
                  %6 = softmax(%5) {axis=1} : f32[N,8]
                  %7 = relu(%6) : f32[N,8]
                  return out=%7
                }
                """);
    }
}
