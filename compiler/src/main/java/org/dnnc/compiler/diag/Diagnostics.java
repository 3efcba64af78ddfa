package org.dnnc.compiler.diag;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Collects the diagnostics of one compilation. Reporting never throws, so a phase can go on after
 * an error and report the next one; an exact duplicate (same place, same message) is kept once.
 */
public final class Diagnostics {
    /** Past this many errors the rest are dropped: a broken file should not flood the terminal. */
    public static final int MAX_ERRORS = 50;

    private final Set<Diagnostic> items = new LinkedHashSet<>();
    private int errors;

    public Diagnostic error(Span span, String message) {
        return report(new Diagnostic(Severity.ERROR, span, message, List.of(), List.of()));
    }

    public Diagnostic warning(Span span, String message) {
        return report(new Diagnostic(Severity.WARNING, span, message, List.of(), List.of()));
    }

    /** Adds a fully built diagnostic (with hints or notes) and returns it. */
    public Diagnostic report(Diagnostic d) {
        if (d.severity() == Severity.ERROR) {
            if (errors >= MAX_ERRORS) {
                return d;
            }
            if (items.add(d)) {
                errors++;
            }
        } else {
            items.add(d);
        }
        return d;
    }

    public boolean hasErrors() {
        return errors > 0;
    }

    public int errorCount() {
        return errors;
    }

    public int warningCount() {
        return (int) items.stream().filter(d -> d.severity() == Severity.WARNING).count();
    }

    /** All diagnostics in source order (stable for equal positions). */
    public List<Diagnostic> sorted() {
        List<Diagnostic> list = new ArrayList<>(items);
        list.sort(Comparator.comparingInt((Diagnostic d) -> d.span().line())
                .thenComparingInt(d -> d.span().column()));
        return list;
    }
}
