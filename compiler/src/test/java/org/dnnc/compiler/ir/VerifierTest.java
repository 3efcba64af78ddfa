package org.dnnc.compiler.ir;

import static com.google.common.truth.Truth.assertThat;
import static org.dnnc.compiler.ir.Types.type;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class VerifierTest {

    private static Node input(int id, String name, String t) {
        return new Node(id, new Input(name, type(t)), List.of(), type(t), Origin.NONE);
    }

    private static Node param(int id, String name, String t) {
        return new Node(id, new Param(name, type(t), true, "zeros"), List.of(), type(t), Origin.NONE);
    }

    private static Node node(int id, Op op, List<Integer> inputs, String t) {
        return new Node(id, op, inputs, type(t), Origin.NONE);
    }

    private static List<String> problems(Graph g) {
        return assertThrows(IrVerificationException.class, () -> Verifier.verify(g)).problems();
    }

    @Test
    void acceptsWellFormedGraphs() throws IrTypeException {
        Verifier.verify(IrPrinterTest.mlp());
        Verifier.verify(new Graph("sparse", List.of(input(4, "x", "f32[N,3]"),
                node(10, new Softmax(1), List.of(4), "f32[N,3]")), Map.of("y", 10)));
    }

    @Test
    void catchesUseBeforeDefinition() {
        var g = new Graph("g", List.of(
                node(1, new Softmax(1), List.of(0), "f32[N,3]"),
                input(0, "x", "f32[N,3]")), Map.of());
        assertThat(problems(g)).containsExactly("%1 (softmax) uses %0, which is not defined before it");
    }

    @Test
    void catchesWrongStoredType() {
        var g = new Graph("g", List.of(
                input(0, "x", "f32[N,784]"),
                param(1, "w", "f32[256,784]"),
                node(2, new MatMul(), List.of(0, 1), "f32[N,784]")), Map.of());
        assertThat(problems(g)).containsExactly("%2 (matmul) is typed f32[N,784] but its operands give f32[N,256]");
    }

    @Test
    void reportsTypeErrorsOfOperands() {
        var g = new Graph("g", List.of(
                input(0, "x", "f32[N,100]"),
                param(1, "w", "f32[256,784]"),
                node(2, new MatMul(), List.of(0, 1), "f32[N,256]")), Map.of());
        assertThat(problems(g)).containsExactly(
                "%2: matmul: input has 100 features but the weight expects 784 (f32[N,100] x f32[256,784])");
    }

    @Test
    void catchesWrongOperandCounts() {
        var g = new Graph("g", List.of(
                input(0, "x", "f32[N,3]"),
                node(1, new Softmax(1), List.of(0, 0), "f32[N,3]"),
                node(2, new Concat(1), List.of(0), "f32[N,3]")), Map.of());
        assertThat(problems(g)).containsExactly(
                "%1 (softmax) has 2 operands but takes 1",
                "%2 (concat) has 1 operand but takes at least 2").inOrder();
    }

    @Test
    void catchesBadOutputs() {
        var g = new Graph("g", List.of(input(0, "x", "f32[N,3]")), Map.of("y", 3));
        assertThat(problems(g)).containsExactly("output y names %3, which does not exist");
    }

    @Test
    void catchesDuplicateIds() {
        var g = new Graph("g", List.of(input(0, "x", "f32[N,3]"), input(0, "y", "f32[N,3]")), Map.of());
        assertThat(problems(g)).containsExactly("node id %0 is defined twice");
    }

    @Test
    void catchesDuplicateNames() {
        var g = new Graph("g", List.of(
                input(0, "x", "f32[N,3]"),
                input(1, "x", "f32[N,3]"),
                param(2, "w", "f32[3]"),
                param(3, "w", "f32[3]")), Map.of());
        assertThat(problems(g)).containsExactly(
                "input name \"x\" is used by %0 and %1",
                "parameter name \"w\" is used by %2 and %3").inOrder();
    }

    @Test
    void listsEveryProblemInTheMessage() {
        var g = new Graph("broken", List.of(
                node(1, new Softmax(1), List.of(0), "f32[N,3]"),
                input(1, "x", "f32[N,3]")), Map.of("y", 8));
        var e = assertThrows(IrVerificationException.class, () -> Verifier.verify(g));
        assertThat(e).hasMessageThat().isEqualTo("""
                graph broken is malformed:
                  - %1 (softmax) uses %0, which is not defined before it
                  - node id %1 is defined twice
                  - output y names %8, which does not exist""");
    }

    @Test
    void acceptsBlockedLayoutsOnlyOnWholeBlocksOfChannels() {
        var nodes = List.of(input(0, "x", "f32[N,16,4,4]"), input(1, "y", "f32[N,24,4,4]"), input(2, "z", "f32[N,16]"));
        Verifier.verify(new Graph("g", nodes, Map.of(), Map.of(0, Layout.NCHW16C)));
        assertThat(problems(new Graph("g", nodes, Map.of(), Map.of(1, Layout.NCHW16C, 2, Layout.NCHW16C, 5,
                Layout.NCHW16C)))).containsExactly(
                        "%1 (input) is nChw16c but typed f32[N,24,4,4]; that layout needs f32 [N,C,H,W] with C a multiple of 16",
                        "%2 (input) is nChw16c but typed f32[N,16]; that layout needs f32 [N,C,H,W] with C a multiple of 16",
                        "layout nChw16c is set for %5, which does not exist").inOrder();
    }
}
