package org.dnnc.compiler.fuzz;

import static com.google.common.truth.Truth.assertThat;
import static com.google.common.truth.Truth.assertWithMessage;

import java.util.List;
import org.dnnc.compiler.Compilation;
import org.dnnc.compiler.diag.Diagnostic;
import org.dnnc.compiler.syntax.DnnParserFacade;
import org.junit.jupiter.api.Test;

/**
 * Hand-written adversarial inputs (empty files, deep nesting, huge literals and names, long
 * chains, odd characters, floods of errors): each must give diagnostics or compile, without an
 * exception or a stack overflow.
 */
class AdversarialInputsTest {

    @Test
    void emptyFile() {
        Compilation c = assertSurvives("", false);
        assertThat(messages(c)).containsExactly("warning: this file declares no network");
    }

    @Test
    void onlyComments() {
        Compilation c = assertSurvives("// nothing here\n/* and nothing\n   here either */\n// end", false);
        assertThat(messages(c)).containsExactly("warning: this file declares no network");
    }

    /** Brackets deeper than {@link DnnParserFacade#MAX_NESTING} are refused before parsing: recovering from them is quadratic. */
    @Test
    void tenThousandNestedParentheses() {
        String source = "network N {\n  input x: float[4];\n  output y = " + "(".repeat(10_000) + "x" + ")".repeat(10_000) + ";\n}\n";
        Compilation c = assertSurvives(source, false);
        assertThat(messages(c)).containsExactly("error: brackets are nested more than 256 deep");
        // The network's `{` is the first level, so the 256th `(` is one too many; line 3 starts with
        // "  output y = ", 13 characters.
        assertThat(c.diagnostics().get(0).span().line()).isEqualTo(3);
        assertThat(c.diagnostics().get(0).span().column()).isEqualTo(13 + 256);
    }

    @Test
    void bracketsNestedJustBelowTheLimitCompile() {
        int depth = DnnParserFacade.MAX_NESTING - 1; // the network's `{` is one level
        String source = "network N {\n  input x: float[4];\n  output y = " + "(".repeat(depth) + "x" + ")".repeat(depth) + ";\n}\n";
        Compilation c = assertSurvives(source, false);
        assertThat(c.hasErrors()).isFalse();
        assertThat(outputType(c, "y")).isEqualTo("f32[N,4]");
    }

    @Test
    void tenThousandUnclosedParentheses() {
        String source = "network N {\n  input x: float[4];\n  output y = " + "(".repeat(10_000) + "x;\n}\n";
        Compilation c = assertSurvives(source, false);
        assertThat(messages(c)).containsExactly("error: brackets are nested more than 256 deep");
    }

    /** The worst case below the limit: every line nests 255 deep and breaks at the bottom. */
    @Test
    void manyLinesOfDeepBrokenNesting() {
        String line = "  output y = " + "(".repeat(255) + "x;" + ")".repeat(255) + ";\n";
        Compilation c = assertSurvives("network N {\n  input x: float[4];\n" + line.repeat(200) + "}\n", false);
        assertThat(c.hasErrors()).isTrue();
    }

    @Test
    void tenThousandNestedCalls() {
        String source = "network N {\n  input x: float[4];\n  output y = " + "relu(".repeat(10_000) + "x" + ")".repeat(10_000) + ";\n}\n";
        Compilation c = assertSurvives(source, false);
        assertThat(messages(c)).containsExactly("error: brackets are nested more than 256 deep");
    }

    @Test
    void tenThousandNestedLists() {
        String source = "network N {\n  input x: float[4];\n  output y = x -> reshape(" + "[".repeat(10_000) + "4"
                + "]".repeat(10_000) + ");\n}\n";
        Compilation c = assertSurvives(source, false);
        assertThat(messages(c)).containsExactly("error: brackets are nested more than 256 deep");
    }

    @Test
    void tenThousandUnaryMinuses() {
        // An even number of minuses: -(-(...x)) is x scaled by 1 ten thousand times over.
        String source = "network N {\n  input x: float[4];\n  output y = " + "-".repeat(10_000) + "x;\n}\n";
        Compilation c = assertSurvives(source, false);
        assertThat(c.hasErrors()).isFalse();
        assertThat(outputType(c, "y")).isEqualTo("f32[N,4]");
    }

    @Test
    void tenThousandTermSum() {
        String source = "network N {\n  input x: float[4];\n  output y = x" + " + x".repeat(10_000) + ";\n}\n";
        Compilation c = assertSurvives(source, false);
        assertThat(c.hasErrors()).isFalse();
        assertThat(outputType(c, "y")).isEqualTo("f32[N,4]");
    }

    @Test
    void tenThousandUnaryMinusesWithoutOperand() {
        Compilation c = assertSurvives("network N {\n  input x: float[4];\n  output y = " + "-".repeat(10_000) + ";\n}\n", false);
        assertThat(messages(c)).containsExactly("error: unexpected `;`, expected an expression");
    }

    @Test
    void tenThousandLayerChainWithAnErrorAtTheEnd() {
        String source = "network N {\n  input x: float[4];\n  output y = x" + " -> relu".repeat(10_000) + " -> conv2d(3, 3);\n}\n";
        Compilation c = assertSurvives(source, false);
        assertThat(messages(c)).containsExactly("error: `conv2d` needs images of shape [channels, height, width] per example, "
                + "got [4] (f32[N,4]) from `relu`");
    }

    @Test
    void tenThousandValues() {
        StringBuilder s = new StringBuilder("network N {\n  input x: float[4];\n");
        for (int i = 0; i < 10_000; i++) {
            s.append("  a").append(i).append(" = ").append(i == 0 ? "x" : "a" + (i - 1)).append(" -> dense(4);\n");
        }
        s.append("  output y = a9999;\n}\n");
        Compilation c = assertSurvives(s.toString(), false);
        assertThat(c.hasErrors()).isFalse();
        assertThat(c.networks().get(0).graph().params()).hasSize(20_000);
    }

    @Test
    void tenThousandChainedAssignments() {
        Compilation c = assertSurvives("network N {\n  input x: float[4];\n  " + "y = ".repeat(10_000) + "x;\n}\n", false);
        assertThat(messages(c)).containsExactly("error: unexpected `=`, expected `;`, `->`, `-`, `*`, `/` or another token");
    }

    @Test
    void hundredThousandCharacterIdentifier() {
        String name = "a".repeat(100_000);
        Compilation c = assertSurvives("network N {\n  input x: float[4];\n  output y = x -> " + name + ";\n}\n", false);
        assertThat(messages(c)).containsExactly("error: unknown layer `" + name + "`");
        Diagnostic d = c.diagnostics().get(0);
        assertThat(d.span().line()).isEqualTo(3);
        assertThat(d.span().column()).isEqualTo(19);
        assertThat(d.span().length()).isEqualTo(100_000);
    }

    @Test
    void hundredThousandCharacterNetworkNameAndInput() {
        String name = "b".repeat(100_000);
        Compilation c = assertSurvives("network " + name + " {\n  input " + name + ": float[4];\n  output y = " + name
                + " -> relu;\n}\n", false);
        assertThat(c.hasErrors()).isFalse();
        assertThat(c.networks().get(0).name()).isEqualTo(name);
    }

    @Test
    void unterminatedStringAtEndOfFile() {
        Compilation c = assertSurvives("network N {\n  input x: float[4];\n  output y = x -> relu;\n"
                + "  train { load_weights(\"weights.safetensors", false);
        assertThat(c.hasErrors()).isTrue();
        assertThat(messages(c)).contains("error: unterminated string");
    }

    @Test
    void lonelyQuoteAtEndOfFile() {
        Compilation c = assertSurvives("\"", false);
        assertThat(messages(c)).containsExactly("error: unterminated string");
    }

    @Test
    void unterminatedBlockCommentAtEndOfFile() {
        Compilation c = assertSurvives("network N {\n  input x: float[4];\n  /* output y = x;\n}\n", false);
        assertThat(c.hasErrors()).isTrue();
    }

    @Test
    void blockCallingItselfThroughTwoLevels() {
        Compilation c = assertSurvives("""
                network N {
                    input x: float[4];
                    block a(x) { x -> b }
                    block b(x) { x -> a }
                    output y = x -> a;
                }
                """, false);
        assertThat(messages(c)).containsExactly("error: block `a` is recursive: a -> b -> a");
        Diagnostic d = c.diagnostics().get(0);
        assertThat(d.span().line()).isEqualTo(4);
        assertThat(d.notes().stream().map(Diagnostic.Note::message).toList())
                .containsExactly("in block `b`, expanded here", "in block `a`, expanded here").inOrder();
    }

    @Test
    void blockWhoseParameterDefaultCallsItself() {
        Compilation c = assertSurvives("""
                network N {
                    input x: float[4];
                    block f(x, y = x -> f) { y }
                    output z = x -> f;
                }
                """, false);
        assertThat(messages(c)).containsExactly("error: block `f` is recursive: a default value of its parameters calls it");
    }

    @Test
    void thousandBlocksDeep() {
        // b0 calls b1 calls ... b999: the expansion stack is a thousand blocks deep, and every parameter
        // path gets longer with it.
        StringBuilder s = new StringBuilder("network N {\n  input x: float[4];\n");
        for (int i = 0; i < 1000; i++) {
            s.append("  block b").append(i).append("(x) { x -> ").append(i == 999 ? "dense(4)" : "b" + (i + 1)).append(" }\n");
        }
        s.append("  output y = x -> b0;\n}\n");
        Compilation c = assertSurvives(s.toString(), false);
        assertThat(c.hasErrors()).isFalse();
        assertThat(outputType(c, "y")).isEqualTo("f32[N,4]");
    }

    @Test
    void hugeIntegerLiterals() {
        Compilation c = assertSurvives("""
                network N {
                    input x: float[4];
                    output y = x -> dense(99999999999999999999);
                    output z = x -> dense(2147483648);
                    output w = x -> reshape([4, 9223372036854775807]);
                }
                """, false);
        assertThat(messages(c)).containsExactly(
                "error: number `99999999999999999999` is too large",
                "error: argument `units` of `dense` must be a positive integer, got an integer (2147483648)",
                "error: argument `shape` of `reshape` must be a list of integers >= 1, got a list");
    }

    @Test
    void hugeDimensions() {
        Compilation c = assertSurvives("""
                network N {
                    input x: float[99999999999999999999];
                    input y: float[16777217];
                    input z: float[T <= 99999999999];
                }
                """, false);
        assertThat(c.errorCount()).isEqualTo(3);
    }

    @Test
    void hugeButLegalSizesDoNotOverflow() {
        // 16777216 = 2^24 is the largest dimension; 2^24 * 2^24 elements overflow an int.
        Compilation c = assertSurvives("""
                network N {
                    input x: float[16777216, 16777216];
                    output y = x -> flatten;
                    output z = x -> dense(2147483647) -> dense(2147483647);
                }
                """, false);
        assertThat(c.hasErrors()).isTrue();
    }

    @Test
    void negativeDimensionsAndSizes() {
        Compilation c = assertSurvives("""
                network N {
                    input x: float[-3, 4];
                }
                """, false);
        assertThat(c.hasErrors()).isTrue();
        Compilation d = assertSurvives("""
                network N {
                    input x: float[1, 8, 8];
                    output a = x -> conv2d(-1, 3);
                    output b = x -> conv2d(4, -3);
                    output c = x -> reshape([-1, 64]);
                    output d = x -> maxpool(2, padding: -1);
                    output e = x -> flatten -> dense(-5);
                    output f = x -> flatten -> repeat(-2);
                }
                """, false);
        assertThat(d.errorCount()).isEqualTo(6);
    }

    @Test
    void tenThousandLayerChain() {
        String source = "network N {\n  input x: float[4];\n  output y = x" + " -> relu".repeat(10_000) + ";\n}\n";
        Compilation c = assertSurvives(source, false);
        assertThat(c.hasErrors()).isFalse();
        assertThat(c.networks().get(0).graph().nodes()).hasSize(10_001);
        assertThat(outputType(c, "y")).isEqualTo("f32[N,4]");
    }

    @Test
    void tenThousandDenseLayerChain() {
        String source = "network N {\n  input x: float[4];\n  output y = x" + " -> dense(4)".repeat(10_000) + ";\n}\n";
        Compilation c = assertSurvives(source, false);
        assertThat(c.hasErrors()).isFalse();
        assertThat(c.networks().get(0).graph().params()).hasSize(20_000);
    }

    /** The chain form, {@code x -> dense(4) -> ...}, at this depth is {@code DeepNetworksTest}'s input. */
    @Test
    void hundredThousandStatements() {
        StringBuilder s = new StringBuilder("network N {\n  input x: float[4];\n  h0 = x;\n");
        for (int i = 1; i <= 100_000; i++) {
            s.append("  h").append(i).append(" = h").append(i - 1).append(" -> dense(4);\n");
        }
        s.append("  output y = h100000;\n}\n");
        Compilation c = assertSurvives(s.toString(), false);
        assertThat(c.hasErrors()).isFalse();
        assertThat(c.networks().get(0).graph().params()).hasSize(200_000);
    }

    @Test
    void tenThousandErrorsAreCapped() {
        String source = "network N {\n  input x: float[4];\n" + "  output y = x -> nope;\n".repeat(10_000) + "}\n";
        Compilation c = assertSurvives(source, false);
        assertThat(c.errorCount()).isAtMost(50);
    }

    @Test
    void oddCharactersAndLineEndings() {
        assertSurvives("network N {\r\n  input x: float[4];\r\n  output y = x -> relu;\r\n}\r\n", false);
        assertSurvives("network N {\r  input x: float[4];\r  output y = x -> é;\r}", false);
        assertSurvives("network Ñ { input x: float[4]; output y = x -> relu; }", false);
        assertSurvives("network N { input x: float[4]; output y = x -> relu\u0000; }", false);
        assertSurvives("network N { input x: float[4]; output y = x -> \uD83D\uDE00; }", false);
        assertSurvives("network N { input x: float[4]; output y = x -> \uD800; }", false);
        assertSurvives("\t\t\tnetwork\tN\t{\tinput\tx:\tfloat[4];\toutput y = x -> nope;\t}", false);
    }

    @Test
    void manyNetworksInOneFile() {
        String source = "network N { input x: float[4]; output y = x -> relu; }\n".repeat(2_000);
        Compilation c = assertSurvives(source, false);
        assertThat(c.errorCount()).isAtMost(50);
        assertThat(c.hasErrors()).isTrue();
    }

    /** Compiles one hand-written input: no exception, valid spans, rendering works. */
    private static Compilation assertSurvives(String text, boolean twice) {
        CompileCheck.Outcome o = CompileCheck.check("adversarial.dnn", text, twice);
        String shown = text.length() > 300 ? text.substring(0, 300) + "... (" + text.length() + " characters)" : text;
        if (o.problem() != null) {
            throw new AssertionError("input:\n" + shown + "\n--- problem ---\n" + o.problem());
        }
        return o.compilation();
    }

    private static List<String> messages(Compilation c) {
        return c.diagnostics().stream().map(d -> d.severity().label() + ": " + d.message()).toList();
    }

    private static String outputType(Compilation c, String output) {
        assertWithMessage("diagnostics: %s", c.diagnostics()).that(c.networks()).hasSize(1);
        var graph = c.networks().get(0).graph();
        return graph.node(graph.outputs().get(output)).type().toString();
    }
}
