package org.dnnc.compiler.fuzz;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import java.util.stream.Collectors;
import org.dnnc.compiler.Compilation;
import org.dnnc.compiler.Compiler;
import org.dnnc.compiler.diag.Diagnostic;
import org.dnnc.compiler.diag.DiagnosticRenderer;
import org.dnnc.compiler.diag.SourceFile;
import org.dnnc.compiler.diag.Span;
import org.dnnc.compiler.ir.IrPrinter;
import org.dnnc.compiler.ir.Verifier;
import org.dnnc.compiler.sema.NetworkModel;

/**
 * What every fuzzed input must satisfy: the compiler returns normally, every
 * diagnostic and note has no span or one inside the file, rendering never throws, a clean
 * compilation yields graphs that verify and print, and a second compile says the same.
 */
final class CompileCheck {
    private CompileCheck() {}

    /**
     * What happened to one input: how long it took (reported, never judged: a busy machine must not
     * fail a test), whether it had errors, and what was wrong, if anything.
     */
    record Outcome(long nanos, boolean errors, String summary, String problem, Compilation compilation) {}

    static Outcome check(String name, String text, boolean twice) {
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

    static String stackTrace(Throwable t) {
        StringWriter w = new StringWriter();
        t.printStackTrace(new PrintWriter(w));
        String s = w.toString();
        // A stack overflow prints thousands of identical frames; the top ones say enough.
        List<String> lines = s.lines().toList();
        return lines.size() > 40 ? String.join("\n", lines.subList(0, 40)) + "\n\t... " + (lines.size() - 40) + " more lines" : s;
    }
}
