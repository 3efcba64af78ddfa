package org.dnnc.compiler.ir;

import static com.google.common.truth.Truth.assertThat;
import static org.dnnc.compiler.ir.Types.type;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import org.junit.jupiter.api.Test;

class GraphBuilderTest {

    @Test
    void numbersNodesInOrderAndInfersTypes() throws IrTypeException {
        var b = new GraphBuilder("g");
        int x = b.input("x", type("f32[N,784]"), Origin.NONE);
        int w = b.param("w", type("f32[256,784]"), true, "he_normal", Origin.NONE);
        int y = b.add(new MatMul(), List.of(x, w), Origin.NONE);
        assertThat(List.of(x, w, y)).containsExactly(0, 1, 2).inOrder();
        assertThat(b.type(y)).isEqualTo(type("f32[N,256]"));
        assertThat(b.node(y).inputs()).containsExactly(0, 1).inOrder();
        assertThat(b.node(w).op()).isEqualTo(new Param("w", type("f32[256,784]"), true, "he_normal"));
    }

    @Test
    void buildKeepsOutputsInOrder() throws IrTypeException {
        var b = new GraphBuilder("g");
        int x = b.input("x", type("f32[N,10]"), Origin.NONE);
        int y = b.add(new Softmax(1), List.of(x), Origin.NONE);
        b.output("probs", y);
        b.output("logits", x);
        Graph g = b.build();
        assertThat(g.name()).isEqualTo("g");
        assertThat(g.nodes()).hasSize(2);
        assertThat(g.outputs()).containsExactly("probs", 1, "logits", 0).inOrder();
    }

    @Test
    void typeErrorsPropagateAndAddNothing() throws IrTypeException {
        var b = new GraphBuilder("g");
        int x = b.input("x", type("f32[N,100]"), Origin.NONE);
        int w = b.param("w", type("f32[256,784]"), true, "he_normal", Origin.NONE);
        var e = assertThrows(IrTypeException.class, () -> b.add(new MatMul(), List.of(x, w), Origin.NONE));
        assertThat(e).hasMessageThat().startsWith("matmul: input has 100 features");
        assertThat(b.add(new Activation(ActivationKind.RELU, 0), List.of(x), Origin.NONE)).isEqualTo(2);
        assertThat(b.build().nodes()).hasSize(3);
    }

    @Test
    void rejectsUnknownIds() {
        var b = new GraphBuilder("g");
        int x = b.input("x", type("f32[N,10]"), Origin.NONE);
        assertThrows(IllegalArgumentException.class, () -> b.add(new Softmax(1), List.of(x + 1), Origin.NONE));
        assertThrows(IllegalArgumentException.class, () -> b.type(7));
        assertThrows(IllegalArgumentException.class, () -> b.output("y", 7));
    }

    @Test
    void rejectsDuplicateNames() {
        var b = new GraphBuilder("g");
        int x = b.input("x", type("f32[N,10]"), Origin.NONE);
        b.param("w", type("f32[10]"), true, "zeros", Origin.NONE);
        b.output("y", x);
        var param = assertThrows(IllegalArgumentException.class,
                () -> b.param("w", type("f32[4]"), false, "ones", Origin.NONE));
        assertThat(param).hasMessageThat().isEqualTo("duplicate parameter name \"w\"");
        assertThrows(IllegalArgumentException.class, () -> b.input("x", type("f32[N,10]"), Origin.NONE));
        assertThrows(IllegalArgumentException.class, () -> b.output("y", x));
        // The namespaces are separate: an input may share a parameter's name.
        assertThat(b.input("w", type("f32[N]"), Origin.NONE)).isEqualTo(2);
    }

    @Test
    void rejectsNonPositiveSizesInLeaves() {
        var b = new GraphBuilder("g");
        var e = assertThrows(IllegalArgumentException.class,
                () -> b.param("w", type("f32[0,4]"), true, "zeros", Origin.NONE));
        assertThat(e).hasMessageThat().isEqualTo("param: dimension 0 of f32[0,4] is 0; sizes must be positive");
    }

    @Test
    void builtGraphsDoNotChangeWhenBuildingGoesOn() throws IrTypeException {
        var b = new GraphBuilder("g");
        int x = b.input("x", type("f32[N,10]"), Origin.NONE);
        Graph first = b.build();
        b.add(new Softmax(1), List.of(x), Origin.NONE);
        b.output("y", x);
        assertThat(first.nodes()).hasSize(1);
        assertThat(first.outputs()).isEmpty();
    }
}
