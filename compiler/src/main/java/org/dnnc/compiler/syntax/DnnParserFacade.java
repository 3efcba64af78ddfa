package org.dnnc.compiler.syntax;

import java.util.Optional;
import org.antlr.v4.runtime.BaseErrorListener;
import org.antlr.v4.runtime.CharStreams;
import org.antlr.v4.runtime.CommonTokenStream;
import org.antlr.v4.runtime.RecognitionException;
import org.antlr.v4.runtime.Recognizer;
import org.dnnc.compiler.diag.Diagnostics;
import org.dnnc.compiler.diag.SourceFile;
import org.dnnc.grammar.DnnLexer;
import org.dnnc.grammar.DnnParser;

/** Parses a source file into an AST, reporting syntax errors to the diagnostics. */
public final class DnnParserFacade {
    private DnnParserFacade() {}

    /**
     * Returns the AST, or empty when the file has syntax errors (every one of them reported, thanks
     * to ANTLR's recovery). Later phases then see only complete trees.
     */
    public static Optional<CompilationUnit> parse(SourceFile file, Diagnostics diagnostics) {
        DnnLexer lexer = new DnnLexer(CharStreams.fromString(file.text(), file.path()));
        lexer.removeErrorListeners();
        DnnParser parser = new DnnParser(new CommonTokenStream(lexer));
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
}
