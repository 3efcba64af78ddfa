package org.dnnc.compiler.fuzz;

import static com.google.common.truth.Truth.assertThat;
import static com.google.common.truth.Truth.assertWithMessage;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.dnnc.compiler.Compilation;
import org.dnnc.compiler.Compiler;
import org.dnnc.compiler.diag.SourceFile;
import org.dnnc.compiler.testing.RepoPaths;
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
 * <p>{@link Mutator} makes the mutants; every one must pass {@link CompileCheck}: the compiler
 * returns normally in well under a second, spans lie inside the file, rendering works, and clean
 * compilations yield graphs that verify and print.
 *
 * <p>Everything is derived from one seed, printed with every failure together with the mutant's
 * own seed and text. Reproduce with {@code -Ddnnc.fuzz.seed=<seed>}; change the amount with
 * {@code -Ddnnc.fuzz.mutants=<per example>}.
 */
class MutationFuzzTest {
    private static final long DEFAULT_SEED = 0x5EED_D11CL;
    private static final long SEED = Long.getLong("dnnc.fuzz.seed", DEFAULT_SEED);
    private static final int MUTANTS_PER_EXAMPLE = Integer.getInteger("dnnc.fuzz.mutants", 1000);
    private static final int MAX_REPORTED_FAILURES = 10;

    private static final Mutator MUTATOR = new Mutator();

    private static List<Path> examples;

    @BeforeAll
    static void findExamplesAndWarmUp() throws IOException {
        examples = RepoPaths.exampleFiles();
        assertWithMessage("example programs under %s", RepoPaths.root().resolve("examples")).that(examples).isNotEmpty();
        // Let the JIT compile the common paths, so that the per-mutant times printed below measure
        // the compiler and not the warm-up of the JVM (no assertion reads them).
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
            assertWithMessage("tokens of %s", p).that(String.join("", Mutator.tokenize(text).texts())).isEqualTo(text);
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
            Mutator.Tokens tokens = Mutator.tokenize(text);
            for (int i = 0; i < MUTANTS_PER_EXAMPLE; i++) {
                long mutantSeed = mutantSeed(e, i);
                Mutator.Mutant m = MUTATOR.mutate(tokens, i, new Random(mutantSeed));
                total++;
                CompileCheck.Outcome o = CompileCheck.check(path.getFileName().toString(), m.text(), i % 10 == 0);
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
        Mutator.Tokens tokens = Mutator.tokenize(Files.readString(examples.get(0)));
        for (int i = 0; i < 50; i++) {
            assertThat(MUTATOR.mutate(tokens, i, new Random(mutantSeed(0, i))).text())
                    .isEqualTo(MUTATOR.mutate(tokens, i, new Random(mutantSeed(0, i))).text());
        }
    }

    private static long mutantSeed(int example, int index) {
        return SEED * 0x9E3779B97F4A7C15L + example * 1_000_003L + index;
    }
}
