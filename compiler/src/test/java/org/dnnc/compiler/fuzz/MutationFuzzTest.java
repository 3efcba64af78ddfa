package org.dnnc.compiler.fuzz;

import static com.google.common.truth.Truth.assertThat;
import static com.google.common.truth.Truth.assertWithMessage;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.function.Consumer;
import java.util.stream.Collectors;
import org.antlr.v4.runtime.CharStreams;
import org.antlr.v4.runtime.Token;
import org.antlr.v4.runtime.Vocabulary;
import org.dnnc.compiler.Compilation;
import org.dnnc.compiler.Compiler;
import org.dnnc.compiler.diag.Diagnostic;
import org.dnnc.compiler.diag.DiagnosticRenderer;
import org.dnnc.compiler.diag.SourceFile;
import org.dnnc.compiler.diag.Span;
import org.dnnc.compiler.ir.IrPrinter;
import org.dnnc.compiler.ir.Verifier;
import org.dnnc.compiler.sema.NetworkModel;
import org.dnnc.compiler.sema.Registry;
import org.dnnc.compiler.sema.RegistryEntry;
import org.dnnc.compiler.syntax.DnnParserFacade;
import org.dnnc.compiler.testing.RepoPaths;
import org.dnnc.grammar.DnnLexer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Token-level mutation fuzzing of the front end, seeded from the example programs.
 *
 * <p>Each example is split into tokens by the real lexer, <em>all channels included</em>: the token
 * texts then concatenate back to the exact file, so whitespace and comments survive mutation
 * unchanged where they are not hit, and can be hit too (deleting the newline after a {@code //}
 * comment swallows the next line; duplicating a {@code /*} opens a comment that never closes).
 * Most mutations (85%) still pick a visible token, since that is where the parser and the resolver
 * live. Mutants are: delete a token, duplicate a token, swap two adjacent visible tokens, replace a
 * token with another token of the file, insert a random punctuation mark, keyword, registry name
 * or edge-case literal, truncate the file at a random character, replace numbers and names by
 * edge-case numbers and registry names (which keeps the syntax, so that the mutant reaches name
 * resolution and shape checking), and 2–5 of the token mutations at once.
 *
 * <p>For every mutant: {@link Compiler#compile} returns normally, every diagnostic and note has
 * either no span or one inside the file, rendering never throws, a clean compilation yields graphs
 * that pass the {@link Verifier} and print, and the compile takes well under a second.
 *
 * <p>Everything is derived from one seed, printed with every failure together with the mutant's
 * own seed and text. Reproduce with {@code -Ddnnc.fuzz.seed=<seed>}; change the amount with
 * {@code -Ddnnc.fuzz.mutants=<per example>}.
 */
class MutationFuzzTest {
    private static final long DEFAULT_SEED = 0x5EED_D11CL;
    private static final long SEED = Long.getLong("dnnc.fuzz.seed", DEFAULT_SEED);
    private static final int MUTANTS_PER_EXAMPLE = Integer.getInteger("dnnc.fuzz.mutants", 1000);
    private static final long MAX_MILLIS = 1000;
    private static final int MAX_REPORTED_FAILURES = 10;

    /** Edge cases worth inserting, besides the grammar's literals and the registry's names. */
    private static final List<String> EXTRA_INSERTIONS = List.of(
            "x", "N", "T", "T <= 0", "0", "1", "-1", "7", "2147483647", "2147483648", "9223372036854775808",
            "99999999999999999999", "1e400", "0.0", "1.5", "-0.5", "5 epochs", "3 steps", "2 fortnights",
            "\"s\"", "\"", "\"unterminated", "/*", "*/", "//", "#", "@", "\n", "\t", "[1, 28, 28]", "[]",
            "same", "valid", "val_loss", "epochs", "steps", "é", "\u0000");

    private static List<Path> examples;
    private static List<String> insertions;

    @BeforeAll
    static void findExamplesAndWarmUp() throws IOException {
        examples = RepoPaths.exampleFiles();
        assertWithMessage("example programs under %s", RepoPaths.root().resolve("examples")).that(examples).isNotEmpty();
        insertions = insertionPool();
        // Let the JIT compile the common paths, so that the per-mutant time limit measures the
        // compiler and not the warm-up of the JVM.
        for (int round = 0; round < 15; round++) {
            for (Path p : examples) {
                Compiler.compile(SourceFile.read(p));
            }
        }
    }

    @Test
    void examplesCompileCleanly() throws IOException {
        for (Path p : examples) {
            Compilation c = Compiler.compile(SourceFile.read(p));
            assertWithMessage("diagnostics of %s", p).that(c.diagnostics()).isEmpty();
            assertThat(c.networks()).hasSize(1);
        }
    }

    @Test
    void tokensReassembleToTheFile() throws IOException {
        for (Path p : examples) {
            String text = Files.readString(p);
            assertWithMessage("tokens of %s", p).that(String.join("", tokenize(text).texts())).isEqualTo(text);
        }
    }

    @Test
    void mutantsNeverCrashTheCompiler() throws IOException {
        List<String> failures = new ArrayList<>();
        int total = 0;
        int clean = 0;
        int withErrors = 0;
        long slowestNanos = 0;
        long started = System.nanoTime();
        for (int e = 0; e < examples.size(); e++) {
            Path path = examples.get(e);
            String text = Files.readString(path);
            Tokens tokens = tokenize(text);
            for (int i = 0; i < MUTANTS_PER_EXAMPLE; i++) {
                long mutantSeed = mutantSeed(e, i);
                Mutant m = mutate(tokens, i, new Random(mutantSeed));
                total++;
                Outcome o = check(path.getFileName().toString(), m.text(), i % 10 == 0);
                slowestNanos = Math.max(slowestNanos, o.nanos());
                if (o.problem() != null) {
                    failures.add(String.format("seed=%d (-Ddnnc.fuzz.seed=%d), example=%s, mutant #%d (mutant seed %d): %s%n"
                                    + "mutations: %s%n--- mutant ---%n%s%n--- problem ---%n%s",
                            SEED, SEED, path.getFileName(), i, mutantSeed, o.summary(), m.description(), m.text(), o.problem()));
                } else if (o.errors()) {
                    withErrors++;
                } else {
                    clean++;
                }
            }
        }
        long elapsedMs = (System.nanoTime() - started) / 1_000_000;
        System.out.printf("MutationFuzzTest: seed %d, %d mutants of %d examples in %d ms (slowest %.1f ms): "
                        + "%d rejected with errors, %d compiled, %d failures%n",
                SEED, total, examples.size(), elapsedMs, slowestNanos / 1e6, withErrors, clean, failures.size());
        assertThat(total).isAtLeast(Math.min(3000, 3 * MUTANTS_PER_EXAMPLE));
        if (!failures.isEmpty()) {
            throw new AssertionError(failures.size() + " of " + total + " mutants failed; the first "
                    + Math.min(failures.size(), MAX_REPORTED_FAILURES) + ":\n\n"
                    + String.join("\n\n", failures.subList(0, Math.min(failures.size(), MAX_REPORTED_FAILURES))));
        }
    }

    /** The same seed gives the same mutants, so that a failure printed by CI can be reproduced. */
    @Test
    void mutantsAreReproducibleFromTheSeed() throws IOException {
        Tokens tokens = tokenize(Files.readString(examples.get(0)));
        for (int i = 0; i < 50; i++) {
            assertThat(mutate(tokens, i, new Random(mutantSeed(0, i))).text())
                    .isEqualTo(mutate(tokens, i, new Random(mutantSeed(0, i))).text());
        }
    }

    // ---- hand-written adversarial inputs -------------------------------------------------------

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

    // ---- mutation --------------------------------------------------------------------------------

    /** A file as the lexer sees it: every token of every channel, and whether it is visible. */
    record Tokens(List<String> texts, List<Boolean> visible, List<Integer> types) {}

    record Mutant(String text, String description) {}

    private static Tokens tokenize(String text) {
        DnnLexer lexer = new DnnLexer(CharStreams.fromString(text));
        lexer.removeErrorListeners();
        List<String> texts = new ArrayList<>();
        List<Boolean> visible = new ArrayList<>();
        List<Integer> types = new ArrayList<>();
        for (Token t : lexer.getAllTokens()) {
            texts.add(t.getText());
            visible.add(t.getChannel() == Token.DEFAULT_CHANNEL);
            types.add(t.getType());
        }
        return new Tokens(texts, visible, types);
    }

    private static long mutantSeed(int example, int index) {
        return SEED * 0x9E3779B97F4A7C15L + example * 1_000_003L + index;
    }

    /**
     * Mutant {@code index}: kinds 0-5 are the single mutations, taken in turn so that each gets its
     * share; kind 6 replaces a number or a name by another of its kind (an edge-case number, a
     * registry name), which keeps the syntax and reaches the shape checks; kind 7 applies 2-5 of
     * the single mutations (a truncation, if drawn, comes last).
     */
    static Mutant mutate(Tokens tokens, int index, Random r) {
        List<String> texts = new ArrayList<>(tokens.texts());
        List<Boolean> visible = new ArrayList<>(tokens.visible());
        List<String> done = new ArrayList<>();
        int kind = index % 8;
        if (kind < 6) {
            apply(kind, texts, visible, r, done);
        } else if (kind == 6) {
            for (int k = 0, count = 1 + r.nextInt(3); k < count; k++) {
                replaceLiteral(tokens, texts, r, done);
            }
        } else {
            int count = 2 + r.nextInt(4);
            boolean truncate = false;
            for (int k = 0; k < count; k++) {
                int op = r.nextInt(6);
                if (op == 5) {
                    truncate = true;
                } else {
                    apply(op, texts, visible, r, done);
                }
            }
            if (truncate) {
                apply(5, texts, visible, r, done);
            }
        }
        return new Mutant(String.join("", texts), String.join("; ", done));
    }

    private static void apply(int op, List<String> texts, List<Boolean> visible, Random r, List<String> done) {
        if (texts.isEmpty()) {
            texts.add(insertions.get(r.nextInt(insertions.size())));
            visible.add(true);
            done.add("insert into an empty file");
            return;
        }
        switch (op) {
            case 0 -> {
                int i = pick(visible, r);
                done.add("delete token " + i + " " + show(texts.get(i)));
                texts.remove(i);
                visible.remove(i);
            }
            case 1 -> {
                int i = pick(visible, r);
                done.add("duplicate token " + i + " " + show(texts.get(i)));
                texts.add(i, texts.get(i));
                visible.add(i, visible.get(i));
            }
            case 2 -> {
                // Swap with the next visible token, so that whitespace between them stays put.
                int i = pickVisible(visible, r);
                int j = i + 1;
                while (j < texts.size() && !visible.get(j)) {
                    j++;
                }
                if (j >= texts.size()) {
                    j = i;
                    i = i - 1;
                    while (i > 0 && !visible.get(i)) {
                        i--;
                    }
                    i = Math.max(i, 0);
                }
                done.add("swap tokens " + i + " " + show(texts.get(i)) + " and " + j + " " + show(texts.get(j)));
                String t = texts.get(i);
                texts.set(i, texts.get(j));
                texts.set(j, t);
            }
            case 3 -> {
                int i = pick(visible, r);
                int from = pickVisible(visible, r);
                done.add("replace token " + i + " " + show(texts.get(i)) + " with " + show(texts.get(from)));
                texts.set(i, texts.get(from));
                visible.set(i, visible.get(from));
            }
            case 4 -> {
                int i = r.nextInt(texts.size() + 1);
                String s = insertions.get(r.nextInt(insertions.size()));
                // Pad with spaces half of the time, so that insertions also glue onto their neighbours.
                String inserted = r.nextBoolean() ? " " + s + " " : s;
                done.add("insert " + show(inserted) + " before token " + i);
                texts.add(i, inserted);
                visible.add(i, true);
            }
            default -> {
                int length = texts.stream().mapToInt(String::length).sum();
                int cut = r.nextInt(length + 1);
                String all = String.join("", texts);
                done.add("truncate at character " + cut + " of " + length);
                texts.clear();
                visible.clear();
                texts.add(all.substring(0, cut));
                visible.add(true);
            }
        }
    }

    private static final List<String> EDGE_INTEGERS = List.of("0", "1", "2", "3", "5", "7", "64", "1000", "65536", "16777216",
            "16777217", "1000000000", "2147483647", "2147483648", "9223372036854775807", "99999999999999999999");
    private static final List<String> EDGE_REALS = List.of("0.0", "0.5", "1.0", "1.5", "1e-300", "1e400", "1e-3", ".5");

    /** Replaces an integer, a number or a name (token types taken from the unmutated file) by another of its kind. */
    private static void replaceLiteral(Tokens tokens, List<String> texts, Random r, List<String> done) {
        List<Integer> candidates = new ArrayList<>();
        for (int i = 0; i < tokens.types().size(); i++) {
            int type = tokens.types().get(i);
            if (type == DnnLexer.INT || type == DnnLexer.FLOAT || type == DnnLexer.IDENT) {
                candidates.add(i);
            }
        }
        int i = candidates.get(r.nextInt(candidates.size()));
        int type = tokens.types().get(i);
        String replacement;
        if (type == DnnLexer.INT) {
            replacement = EDGE_INTEGERS.get(r.nextInt(EDGE_INTEGERS.size()));
        } else if (type == DnnLexer.FLOAT) {
            replacement = EDGE_REALS.get(r.nextInt(EDGE_REALS.size()));
        } else if (r.nextBoolean()) {
            List<RegistryEntry> all = Registry.standard().all();
            replacement = all.get(r.nextInt(all.size())).name();
        } else {
            replacement = tokens.texts().get(candidates.get(r.nextInt(candidates.size())));
        }
        done.add("replace literal " + i + " " + show(texts.get(i)) + " with " + show(replacement));
        texts.set(i, replacement);
    }

    /** A token index: a visible token 85% of the time, any token (whitespace, comments) otherwise. */
    private static int pick(List<Boolean> visible, Random r) {
        return r.nextInt(100) < 85 ? pickVisible(visible, r) : r.nextInt(visible.size());
    }

    private static int pickVisible(List<Boolean> visible, Random r) {
        for (int attempt = 0; attempt < 20; attempt++) {
            int i = r.nextInt(visible.size());
            if (visible.get(i)) {
                return i;
            }
        }
        return r.nextInt(visible.size());
    }

    private static String show(String token) {
        String s = token.length() > 40 ? token.substring(0, 40) + "..." : token;
        return "`" + s.replace("\n", "\\n").replace("\r", "\\r").replace("\t", "\\t") + "`";
    }

    /** Punctuation and keywords of the grammar, every registry name, and edge-case literals. */
    private static List<String> insertionPool() {
        List<String> pool = new ArrayList<>();
        Vocabulary v = DnnLexer.VOCABULARY;
        for (int type = 1; type <= v.getMaxTokenType(); type++) {
            String literal = v.getLiteralName(type);
            if (literal != null) {
                pool.add(literal.substring(1, literal.length() - 1));
            }
        }
        for (RegistryEntry e : Registry.standard().all()) {
            pool.add(e.name());
        }
        pool.addAll(EXTRA_INSERTIONS);
        return List.copyOf(pool);
    }

    // ---- checking ------------------------------------------------------------------------------

    /** What happened to one input: how long it took, whether it had errors, and what was wrong, if anything. */
    record Outcome(long nanos, boolean errors, String summary, String problem, Compilation compilation) {}

    private static Outcome check(String name, String text, boolean twice) {
        SourceFile file = new SourceFile(name, text);
        long t0 = System.nanoTime();
        Compilation c;
        try {
            c = Compiler.compile(file);
        } catch (Throwable t) {
            return new Outcome(System.nanoTime() - t0, true, "compile threw " + t, stackTrace(t), null);
        }
        long nanos = System.nanoTime() - t0;
        List<String> problems = new ArrayList<>();
        if (nanos > MAX_MILLIS * 1_000_000) {
            problems.add("compile took " + nanos / 1_000_000 + " ms");
        }
        DiagnosticRenderer renderer = new DiagnosticRenderer(false);
        for (Diagnostic d : c.diagnostics()) {
            checkSpan(file, d.span(), "diagnostic `" + d.message() + "`", problems::add);
            for (Diagnostic.Note n : d.notes()) {
                checkSpan(file, n.span(), "note `" + n.message() + "` of `" + d.message() + "`", problems::add);
            }
            try {
                new DiagnosticRenderer(true).render(file, d);
                renderer.render(file, d);
            } catch (Throwable t) {
                problems.add("rendering `" + d.message() + "` threw:\n" + stackTrace(t));
            }
        }
        if (c.hasErrors() && !c.networks().isEmpty()) {
            problems.add("a compilation with errors returned networks");
        }
        for (NetworkModel m : c.networks()) {
            try {
                Verifier.verify(m.graph());
                IrPrinter.print(m.graph());
            } catch (Throwable t) {
                problems.add("the graph of " + m.name() + " is broken:\n" + stackTrace(t));
            }
        }
        if (twice) {
            try {
                List<Diagnostic> again = Compiler.compile(file).diagnostics();
                if (!again.equals(c.diagnostics())) {
                    problems.add("a second compile gave other diagnostics: " + again + " vs " + c.diagnostics());
                }
            } catch (Throwable t) {
                problems.add("the second compile threw:\n" + stackTrace(t));
            }
        }
        String summary = problems.isEmpty() ? "" : problems.get(0).lines().findFirst().orElse("");
        return new Outcome(nanos, c.hasErrors(), summary, problems.isEmpty() ? null : String.join("\n", problems)
                + "\n--- diagnostics ---\n" + c.diagnostics().stream().map(d -> render(file, d)).collect(Collectors.joining()), c);
    }

    private static void checkSpan(SourceFile file, Span span, String what, Consumer<String> problems) {
        if (span == null) {
            problems.accept(what + " has a null span");
            return;
        }
        if (span.isNone()) {
            return;
        }
        int line = span.line();
        boolean ok = line >= 1 && line <= file.lineCount() && span.column() >= 1
                && span.column() <= file.line(line).length() + 1
                && span.start() >= 0 && span.start() <= file.text().length();
        if (ok) {
            // Line and column must agree with the offset.
            ok = file.span(span.start(), span.end()).line() == line && file.span(span.start(), span.end()).column() == span.column();
        }
        if (!ok) {
            problems.accept(what + " has span " + span + " outside the file (" + file.lineCount() + " lines, "
                    + file.text().length() + " characters)");
        }
    }

    private static String render(SourceFile file, Diagnostic d) {
        try {
            return new DiagnosticRenderer(false).render(file, d);
        } catch (Throwable t) {
            return d.toString() + "\n";
        }
    }

    /** Compiles one hand-written input: no exception, valid spans, rendering works, under a second. */
    private static Compilation assertSurvives(String text, boolean twice) {
        Outcome o = check("adversarial.dnn", text, twice);
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

    private static String stackTrace(Throwable t) {
        StringWriter w = new StringWriter();
        t.printStackTrace(new PrintWriter(w));
        String s = w.toString();
        // A stack overflow prints thousands of identical frames; the top ones say enough.
        List<String> lines = s.lines().toList();
        return lines.size() > 40 ? String.join("\n", lines.subList(0, 40)) + "\n\t... " + (lines.size() - 40) + " more lines" : s;
    }
}
