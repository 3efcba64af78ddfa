package org.dnnc.compiler.fuzz;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.antlr.v4.runtime.CharStreams;
import org.antlr.v4.runtime.Token;
import org.antlr.v4.runtime.Vocabulary;
import org.dnnc.compiler.sema.Registry;
import org.dnnc.compiler.sema.RegistryEntry;
import org.dnnc.grammar.DnnLexer;

/**
 * Makes token-level mutants of a program (see {@link MutationFuzzTest} for the kinds): a pure
 * function of the tokens, the mutant's index and its random generator, so that a seed reproduces
 * a mutant exactly.
 */
final class Mutator {
    /** Edge cases worth inserting, besides the grammar's literals and the registry's names. */
    private static final List<String> EXTRA_INSERTIONS = List.of(
            "x", "N", "T", "T <= 0", "0", "1", "-1", "7", "2147483647", "2147483648", "9223372036854775808",
            "99999999999999999999", "1e400", "0.0", "1.5", "-0.5", "5 epochs", "3 steps", "2 fortnights",
            "\"s\"", "\"", "\"unterminated", "/*", "*/", "//", "#", "@", "\n", "\t", "[1, 28, 28]", "[]",
            "same", "valid", "val_loss", "epochs", "steps", "é", "\u0000");

    private final List<String> insertions = insertionPool();

    /** A file as the lexer sees it: every token of every channel, and whether it is visible. */
    record Tokens(List<String> texts, List<Boolean> visible, List<Integer> types) {}

    record Mutant(String text, String description) {}

    static Tokens tokenize(String text) {
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

    /**
     * Mutant {@code index}: kinds 0-5 are the single mutations, taken in turn so that each gets its
     * share; kind 6 replaces a number or a name by another of its kind (an edge-case number, a
     * registry name), which keeps the syntax and reaches the shape checks; kind 7 applies 2-5 of
     * the single mutations (a truncation, if drawn, comes last).
     */
    Mutant mutate(Tokens tokens, int index, Random r) {
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

    private void apply(int op, List<String> texts, List<Boolean> visible, Random r, List<String> done) {
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
}
