package org.dnnc.compiler.ir;

import static com.google.common.truth.Truth.assertThat;
import static org.dnnc.compiler.ir.Types.type;

import java.util.List;
import org.junit.jupiter.api.Test;

class DotPrinterTest {

    @Test
    void printsNodesEdgesAndOutputs() throws IrTypeException {
        var b = new GraphBuilder("Tiny");
        int x = b.input("x", type("f32[N,4]"), Origin.NONE);
        int w = b.param("w", type("f32[2,4]"), true, "he_normal", Origin.NONE);
        int s = b.param("s", type("f32[2]"), false, "zeros", Origin.NONE);
        int y = b.add(new MatMul(), List.of(x, w), Origin.NONE);
        int z = b.add(new BiasAdd(1), List.of(y, s), Origin.NONE);
        b.output("out", z);

        assertThat(DotPrinter.print(b.build())).isEqualTo("""
                digraph "Tiny" {
                  node [fontname="monospace"];
                  n0 [shape=invhouse, label="%0 input x\\nf32[N,4]"];
                  n1 [shape=box, label="%1 param w\\nf32[2,4]"];
                  n2 [shape=box, style=dashed, label="%2 param s\\nf32[2]"];
                  n3 [shape=ellipse, label="%3 matmul\\nf32[N,2]"];
                  n0 -> n3;
                  n1 -> n3;
                  n4 [shape=ellipse, label="%4 bias_add\\nf32[N,2]"];
                  n3 -> n4;
                  n2 -> n4;
                  out0 [shape=plaintext, label="out"];
                  n4 -> out0;
                }
                """);
    }

    @Test
    void escapesQuotesInNames() {
        var b = new GraphBuilder("say \"hi\"");
        b.input("a\"b", type("f32[N]"), Origin.NONE);
        String dot = DotPrinter.print(b.build());
        assertThat(dot).startsWith("digraph \"say \\\"hi\\\"\" {\n");
        assertThat(dot).contains("label=\"%0 input a\\\"b\\nf32[N]\"");
    }

    @Test
    void isDeterministic() throws IrTypeException {
        Graph g = IrPrinterTest.mlp();
        String dot = DotPrinter.print(g);
        assertThat(DotPrinter.print(IrPrinterTest.mlp())).isEqualTo(dot);
        assertThat(dot).contains("  n6 -> n7;\n");
        assertThat(dot).contains("  n6 -> n8;\n");
        assertThat(dot).contains("  out1 [shape=plaintext, label=\"loss\"];\n  n8 -> out1;\n");
    }
}
