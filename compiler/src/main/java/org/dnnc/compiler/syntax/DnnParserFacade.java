package org.dnnc.compiler.syntax;

import java.util.Optional;
import org.antlr.v4.runtime.BaseErrorListener;
import org.antlr.v4.runtime.CharStreams;
import org.antlr.v4.runtime.CommonTokenStream;
import org.antlr.v4.runtime.RecognitionException;
import org.antlr.v4.runtime.Recognizer;
import org.antlr.v4.runtime.Token;
import org.dnnc.compiler.diag.Diagnostic;
import org.dnnc.compiler.diag.Diagnostics;
import org.dnnc.compiler.diag.SourceFile;
import org.dnnc.grammar.DnnLexer;
import org.dnnc.grammar.DnnParser;

/** Parses a source file into an AST, reporting syntax errors to the diagnostics. */
public final class DnnParserFacade {
    private DnnParserFacade() {}

    /** Deeper nesting of brackets is surely generated or broken, and ANTLR's recovery from it is quadratic. */
    public static final int MAX_NESTING = 256;

    /**
     * Returns the AST, or empty when the file has syntax errors (every one of them reported, thanks
     * to ANTLR's recovery). Later phases then see only complete trees.
     */
    public static Optional<CompilationUnit> parse(SourceFile file, Diagnostics diagnostics) {
        DnnLexer lexer = new DnnLexer(CharStreams.fromString(file.text(), file.path()));
        lexer.removeErrorListeners();
        CommonTokenStream tokens = new CommonTokenStream(lexer);
        if (tooDeep(tokens, file, diagnostics)) {
            return Optional.empty();
        }
        DnnParser parser = new DnnParser(tokens);
        parser.removeErrorListeners();
        parser.setErrorHandler(new SyntaxErrorStrategy(file, diagnostics));
        int errorsBefore = diagnostics.errorCount();
        // Recovery reports through the strategy; this listener only catches what bypasses it.
        parser.addErrorListener(new BaseErrorListener() {
            @Override
            public void syntaxError(Recognizer<?, ?> r, Object symbol, int line, int col, String msg, RecognitionException e) {
                if (diagnostics.errorCount() == errorsBefore) {
                    diagnostics.error(file.span(0, 0), msg);
                }
            }
        });
        DnnParser.CompilationUnitContext tree = parser.compilationUnit();
        if (diagnostics.errorCount() > errorsBefore || parser.getNumberOfSyntaxErrors() > 0) {
            return Optional.empty();
        }
        return Optional.of(new AstBuilder(file).compilationUnit(tree));
    }

    /**
     * Reports the first bracket nested deeper than {@link #MAX_NESTING}: 10,000 unclosed `(` would
     * otherwise take seconds to recover from, one exception per level.
     */
    private static boolean tooDeep(CommonTokenStream tokens, SourceFile file, Diagnostics diagnostics) {
        tokens.fill();
        int depth = 0;
        for (Token t : tokens.getTokens()) {
            String text = t.getChannel() == Token.DEFAULT_CHANNEL && t.getType() != Token.EOF ? t.getText() : "";
            if (text.equals("(") || text.equals("[") || text.equals("{")) {
                if (++depth > MAX_NESTING) {
                    diagnostics.report(Diagnostic.error(file.span(t.getStartIndex(), t.getStopIndex() + 1),
                                    "brackets are nested more than " + MAX_NESTING + " deep")
                            .withHint("name the inner parts as values: `a = ...; b = a -> ...;`"));
                    return true;
                }
            } else if ((text.equals(")") || text.equals("]") || text.equals("}")) && depth > 0) {
                depth--;
            }
        }
        return false;
    }
}
