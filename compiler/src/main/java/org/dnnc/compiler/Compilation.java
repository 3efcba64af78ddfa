package org.dnnc.compiler;

import java.util.List;
import org.dnnc.compiler.diag.Diagnostic;
import org.dnnc.compiler.diag.Severity;
import org.dnnc.compiler.diag.SourceFile;
import org.dnnc.compiler.sema.NetworkModel;

/**
 * The result of compiling one file: its diagnostics in source order and, when there are no
 * errors, the resolved networks.
 */
public record Compilation(SourceFile source, List<Diagnostic> diagnostics, List<NetworkModel> networks) {

    public Compilation {
        diagnostics = List.copyOf(diagnostics);
        networks = List.copyOf(networks);
    }

    public boolean hasErrors() {
        return errorCount() > 0;
    }

    public int errorCount() {
        return count(Severity.ERROR);
    }

    public int warningCount() {
        return count(Severity.WARNING);
    }

    private int count(Severity severity) {
        return (int) diagnostics.stream().filter(d -> d.severity() == severity).count();
    }
}
