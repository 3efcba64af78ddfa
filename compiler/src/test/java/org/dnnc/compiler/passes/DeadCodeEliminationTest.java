package org.dnnc.compiler.passes;

import static com.google.common.truth.Truth.assertThat;

import java.util.List;
import org.dnnc.compiler.ir.Activation;
import org.dnnc.compiler.ir.ActivationKind;
import org.dnnc.compiler.ir.Binary;
import org.dnnc.compiler.ir.BinaryKind;
import org.dnnc.compiler.ir.DType;
import org.dnnc.compiler.ir.Dim;
import org.dnnc.compiler.ir.Graph;
import org.dnnc.compiler.ir.GraphBuilder;
import org.dnnc.compiler.ir.IrPrinter;
import org.dnnc.compiler.ir.IrTypeException;
import org.dnnc.compiler.ir.MatMul;
import org.dnnc.compiler.ir.Node;
import org.dnnc.compiler.ir.Origin;
import org.dnnc.compiler.ir.Softmax;
import org.dnnc.compiler.ir.TensorType;
import org.junit.jupiter.api.Test;

class DeadCodeEliminationTest {

    private static final TensorType X = TensorType.f32(Dim.BATCH, Dim.of(4));
    private static final TensorType W = TensorType.f32(Dim.of(3), Dim.of(4));

    /** {@code y = softmax(x·Wᵀ)}, plus a dead branch {@code tanh(x) * tanh(x)}, an unused parameter and input. */
    private static Graph withDeadCode() throws IrTypeException {
        var b = new GraphBuilder("Dead");
        int x = b.input("x", X, Origin.NONE);
        b.input("unused_input", TensorType.of(DType.I32, Dim.BATCH), Origin.NONE);
        int w = b.param("w", W, true, "he_normal", Origin.NONE);
        b.param("unused", W, true, "zeros", Origin.NONE);
        int t = b.add(new Activation(ActivationKind.TANH, 0), List.of(x), Origin.NONE);
        b.add(new Binary(BinaryKind.MUL), List.of(t, t), Origin.NONE);
        int y = b.add(new MatMul(), List.of(x, w), Origin.NONE);
        int p = b.add(new Softmax(1), List.of(y), Origin.NONE);
        b.output("probs", p);
        b.output("logits", y);
        return b.build();
    }

    @Test
    void removesDeadNodesParamsAndInputs() throws IrTypeException {
        Graph before = withDeadCode();
        assertThat(IrPrinter.print(before)).isEqualTo("""
                graph Dead {
                  %0 = input "x" : f32[N,4]
                  %1 = input "unused_input" : i32[N]
                  %2 = param "w" {init=he_normal} : f32[3,4]
                  %3 = param "unused" {init=zeros} : f32[3,4]
                  %4 = tanh(%0) : f32[N,4]
                  %5 = mul(%4, %4) : f32[N,4]
                  %6 = matmul(%0, %2) : f32[N,3]
                  %7 = softmax(%6) {axis=1} : f32[N,3]
                  return probs=%7, logits=%6
                }
                """);

        Graph after = new DeadCodeElimination().run(before);

        assertThat(IrPrinter.print(after)).isEqualTo("""
                graph Dead {
                  %0 = input "x" : f32[N,4]
                  %2 = param "w" {init=he_normal} : f32[3,4]
                  %6 = matmul(%0, %2) : f32[N,3]
                  %7 = softmax(%6) {axis=1} : f32[N,3]
                  return probs=%7, logits=%6
                }
                """);
    }

    @Test
    void keepsIdsAndNodesUnchanged() throws IrTypeException {
        Graph before = withDeadCode();
        Graph after = new DeadCodeElimination().run(before);
        assertThat(after.nodes().stream().map(Node::id).toList()).containsExactly(0, 2, 6, 7).inOrder();
        for (Node node : after.nodes()) {
            assertThat(node).isEqualTo(before.node(node.id()));
        }
        assertThat(after.outputs()).isEqualTo(before.outputs());
    }

    @Test
    void leavesItsInputAlone() throws IrTypeException {
        Graph before = withDeadCode();
        new DeadCodeElimination().run(before);
        assertThat(before).isEqualTo(withDeadCode());
    }

    @Test
    void aGraphWithoutOutputsBecomesEmpty() throws IrTypeException {
        var b = new GraphBuilder("Nothing");
        b.input("x", X, Origin.NONE);
        assertThat(new DeadCodeElimination().run(b.build()).nodes()).isEmpty();
    }

    @Test
    void changesNothingWhenAllIsLive() throws IrTypeException {
        Graph live = new DeadCodeElimination().run(withDeadCode());
        assertThat(new DeadCodeElimination().run(live)).isEqualTo(live);
    }
}
