package org.dnnc.compiler.ir;

import static com.google.common.truth.Truth.assertThat;
import static org.dnnc.compiler.ir.Types.type;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import org.junit.jupiter.api.Test;

class GraphTest {

    private static final Node X = new Node(2, new Input("x", type("f32[N,4]")), List.of(), type("f32[N,4]"), Origin.NONE);
    private static final Node W = new Node(5, new Param("w", type("f32[3,4]"), true, "he_normal"), List.of(),
            type("f32[3,4]"), Origin.NONE);
    private static final Node Y = new Node(7, new MatMul(), List.of(2, 5), type("f32[N,3]"), Origin.NONE);
    private static final Node Z = new Node(9, new Binary(BinaryKind.MUL), List.of(7, 7), type("f32[N,3]"), Origin.NONE);
    private static final Graph G = new Graph("g", List.of(X, W, Y, Z), Map.of("z", 9));

    @Test
    void findsNodesBySparseIds() {
        assertThat(G.node(7)).isEqualTo(Y);
        assertThrows(NoSuchElementException.class, () -> G.node(3));
    }

    @Test
    void usersAreListedOnceInScheduleOrder() {
        assertThat(G.users(2)).containsExactly(Y);
        assertThat(G.users(7)).containsExactly(Z);
        assertThat(G.users(9)).isEmpty();
    }

    @Test
    void paramsAndInputs() {
        assertThat(G.params()).containsExactly(W);
        assertThat(G.inputs()).containsExactly(X);
    }

    @Test
    void copiesNodesAndKeepsOutputOrder() {
        var nodes = new ArrayList<>(List.of(X, W, Y, Z));
        var outputs = new LinkedHashMap<String, Integer>();
        outputs.put("z", 9);
        outputs.put("a", 2);
        outputs.put("m", 7);
        var g = new Graph("g", nodes, outputs);
        nodes.clear();
        outputs.clear();
        assertThat(g.nodes()).hasSize(4);
        assertThat(g.outputs().keySet()).containsExactly("z", "a", "m").inOrder();
        assertThrows(UnsupportedOperationException.class, () -> g.outputs().put("b", 5));
    }

    @Test
    void nodeCopiesItsInputs() {
        var inputs = new ArrayList<>(List.of(2, 5));
        var node = new Node(7, new MatMul(), inputs, type("f32[N,3]"), Origin.NONE);
        inputs.add(9);
        assertThat(node.inputs()).containsExactly(2, 5).inOrder();
    }

    @Test
    void holdsOnlyLayoutsOtherThanNchwAndComparesThem() {
        Graph blocked = G.withLayouts(Map.of(7, Layout.NCHW16C, 9, Layout.NCHW));
        assertThat(blocked.layouts()).containsExactly(7, Layout.NCHW16C);
        assertThat(blocked.layout(7)).isEqualTo(Layout.NCHW16C);
        assertThat(blocked.layout(9)).isEqualTo(Layout.NCHW);
        assertThat(G.layouts()).isEmpty();
        assertThat(blocked).isNotEqualTo(G);
        assertThat(blocked.withLayouts(Map.of())).isEqualTo(G);
        assertThat(blocked.withLayouts(Map.of())).isEqualTo(new Graph("g", G.nodes(), G.outputs(), Map.of(9, Layout.NCHW)));
        assertThat(blocked.toString()).contains("layouts={7=NCHW16C}");
    }
}
