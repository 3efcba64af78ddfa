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
            // Point just after the last token, where the missing one belongs (as C compilers do).
            int end = previous.getStopIndex() + 1;
            diagnostics.error(file.span(end, end + 1), "expected " + expected);
        } else {
            diagnostics.error(span(current), "expected " + expected + " before " + show(current));
        }
    }

    private void unexpected(Parser parser, Token token, IntervalSet expected) {
        String message = switch (token.getType()) {
            case Token.EOF -> "unexpected end of file";
            case DnnLexer.UNKNOWN_CHAR -> "unexpected character " + quote(token.getText());
            case DnnLexer.UNTERMINATED_STRING -> "unterminated string";
            default -> "unexpected " + show(token);
        };
        if (expected != null && !expected.isNil() && token.getType() != DnnLexer.UNTERMINATED_STRING) {
            message += ", expected " + describe(expected, parser);
        }
        diagnostics.error(span(token), message);
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
