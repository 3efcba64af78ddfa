package org.dnnc.compiler.syntax;

import java.util.ArrayList;
import java.util.List;
import org.antlr.v4.runtime.DefaultErrorStrategy;
import org.antlr.v4.runtime.InputMismatchException;
import org.antlr.v4.runtime.NoViableAltException;
import org.antlr.v4.runtime.Parser;
import org.antlr.v4.runtime.Token;
import org.antlr.v4.runtime.TokenStream;
import org.antlr.v4.runtime.misc.IntervalSet;
import org.dnnc.compiler.diag.Diagnostic;
import org.dnnc.compiler.diag.Diagnostics;
import org.dnnc.compiler.diag.SourceFile;
import org.dnnc.compiler.diag.Span;
import org.dnnc.grammar.DnnLexer;

/**
 * ANTLR's recovery (single-token insertion and deletion, then resynchronisation), with the
 * messages rewritten for people: {@code expected `;`} placed just after the previous token,
 * {@code unexpected `}`}, {@code unexpected character `#`}.
 */
final class SyntaxErrorStrategy extends DefaultErrorStrategy {
    private final SourceFile file;
    private final Diagnostics diagnostics;
    /** The line of the last syntax error; later errors on it are usually echoes of the first. */
    private int lastErrorLine = -1;

    SyntaxErrorStrategy(SourceFile file, Diagnostics diagnostics) {
        this.file = file;
        this.diagnostics = diagnostics;
    }

    @Override
    protected void reportNoViableAlternative(Parser parser, NoViableAltException e) {
        unexpected(parser, e.getOffendingToken(), null);
    }

    @Override
    protected void reportInputMismatch(Parser parser, InputMismatchException e) {
        unexpected(parser, e.getOffendingToken(), e.getExpectedTokens());
    }

    @Override
    protected void reportUnwantedToken(Parser parser) {
        if (inErrorRecoveryMode(parser)) {
            return;
        }
        beginErrorCondition(parser);
        unexpected(parser, parser.getCurrentToken(), getExpectedTokens(parser));
    }

    @Override
    protected void reportMissingToken(Parser parser) {
        if (inErrorRecoveryMode(parser)) {
            return;
        }
        beginErrorCondition(parser);
        Token current = parser.getCurrentToken();
        String expected = describe(getExpectedTokens(parser), parser);
        Token previous = previousVisible(parser.getInputStream(), current);
        if (previous != null && previous.getLine() != current.getLine()) {
            missingAfter(previous, expected);
        } else {
            report(current, Diagnostic.error(span(current), "expected " + expected + " before " + show(current)));
        }
    }

    private void unexpected(Parser parser, Token token, IntervalSet expected) {
        switch (token.getType()) {
            case Token.EOF -> endOfFile(parser, expected);
            case DnnLexer.UNKNOWN_CHAR -> unknownCharacter(token);
            case DnnLexer.UNTERMINATED_STRING -> report(token, Diagnostic.error(span(token), "unterminated string")
                    .withHint("close the string with `\"` on the same line"));
            default -> {
                Token previous = previousVisible(parser.getInputStream(), token);
                int semicolon = literalType(parser, ";");
                if (expected != null && expected.contains(semicolon)
                        && previous != null && previous.getLine() < token.getLine()) {
                    // A statement that runs on into the next line almost always lacks its `;`.
                    missingAfter(previous, quote(";"));
                    return;
                }
                String message = "unexpected " + show(token);
                if (expected != null && !expected.isNil()) {
                    message += ", expected " + describe(expected, parser);
                }
                Diagnostic d = Diagnostic.error(span(token), message);
                if (expected != null && expected.size() == 1 && expected.contains(literalType(parser, "<="))) {
                    d = d.withHint("a sequence dimension needs its largest size, e.g. `int[T <= 200]`");
                }
                report(token, d);
            }
        }
    }

    /** Points just after the last token, where the missing one belongs (as C compilers do). */
    private void missingAfter(Token previous, String expected) {
        int end = previous.getStopIndex() + 1;
        report(previous, Diagnostic.error(file.span(end, end + 1), "expected " + expected));
    }

    private void unknownCharacter(Token token) {
        Diagnostic d = Diagnostic.error(span(token), "unexpected character " + quote(token.getText()));
        d = switch (token.getText()) {
            case "#" -> d.withHint("comments start with `//`");
            case "'" -> d.withHint("strings are written in double quotes: \"...\"");
            default -> d;
        };
        report(token, d);
    }

    /** At the end of the file the useful fact is which brace was left open, not the expected tokens. */
    private void endOfFile(Parser parser, IntervalSet expected) {
        Token eof = parser.getCurrentToken();
        Token open = unclosedBrace(parser.getInputStream(), literalType(parser, "{"), literalType(parser, "}"));
        if (open != null) {
            report(eof, Diagnostic.error(span(eof), "unexpected end of file, expected `}`")
                    .withNote(span(open), "this `{` is never closed"));
            return;
        }
        String message = "unexpected end of file";
        if (expected != null && !expected.isNil()) {
            message += ", expected " + describe(expected, parser);
        }
        report(eof, Diagnostic.error(span(eof), message));
    }

    private void report(Token where, Diagnostic d) {
        int line = where.getType() == Token.EOF ? Integer.MAX_VALUE : where.getLine();
        if (line == lastErrorLine) {
            return;
        }
        lastErrorLine = line;
        diagnostics.report(d);
    }

    /** The innermost `{` without a matching `}`, or null. */
    private static Token unclosedBrace(TokenStream tokens, int open, int close) {
        var stack = new java.util.ArrayDeque<Token>();
        for (int i = 0; i < tokens.size(); i++) {
            Token t = tokens.get(i);
            if (t.getType() == open) {
                stack.push(t);
            } else if (t.getType() == close && !stack.isEmpty()) {
                stack.pop();
            }
        }
        return stack.peek();
    }

    private static int literalType(Parser parser, String literal) {
        var vocabulary = parser.getVocabulary();
        for (int type = 1; type <= vocabulary.getMaxTokenType(); type++) {
            if (("'" + literal + "'").equals(vocabulary.getLiteralName(type))) {
                return type;
            }
        }
        throw new IllegalStateException("the grammar has no token " + literal);
    }

    private Span span(Token token) {
        if (token.getType() == Token.EOF) {
            int end = file.text().length();
            return file.span(Math.max(0, end - 1), end);
        }
        return file.span(token.getStartIndex(), token.getStopIndex() + 1);
    }

    private static Token previousVisible(TokenStream tokens, Token current) {
        for (int i = current.getTokenIndex() - 1; i >= 0; i--) {
            Token t = tokens.get(i);
            if (t.getChannel() == Token.DEFAULT_CHANNEL) {
                return t;
            }
        }
        return null;
    }

    private static String show(Token token) {
        return token.getType() == Token.EOF ? "end of file" : quote(token.getText());
    }

    static String quote(String text) {
        return "`" + text + "`";
    }

    /** The expected token set in words: {@code `;` or `->`}, or a summary when it is long. */
    private static String describe(IntervalSet set, Parser parser) {
        List<String> words = new ArrayList<>();
        for (int type : set.toList()) {
            String word = switch (type) {
                case Token.EOF -> "end of file";
                case DnnLexer.IDENT -> "a name";
                case DnnLexer.INT -> "an integer";
                case DnnLexer.FLOAT -> "a number";
                case DnnLexer.STRING -> "a string";
                default -> {
                    String literal = parser.getVocabulary().getLiteralName(type);
                    yield literal == null ? parser.getVocabulary().getDisplayName(type) : quote(literal.replace("'", ""));
                }
            };
            if (!words.contains(word)) {
                words.add(word);
            }
        }
        // Closing tokens first: they are what is most often missing.
        List<String> first = List.of("`;`", "`}`", "`)`", "`]`", "`,`", "`=`", "`->`");
        words.sort(java.util.Comparator.comparingInt(w -> first.contains(w) ? first.indexOf(w) : first.size()));
        if (words.contains("a name") && words.contains("an integer") && words.size() > 4) {
            return "an expression";
        }
        if (words.size() > 5) {
            return String.join(", ", words.subList(0, 5)) + " or another token";
        }
        if (words.size() == 1) {
            return words.get(0);
        }
        return String.join(", ", words.subList(0, words.size() - 1)) + " or " + words.get(words.size() - 1);
    }
}
