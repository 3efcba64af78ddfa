package org.dnnc.compiler.syntax;

import java.util.List;
import java.util.Optional;
import org.dnnc.compiler.diag.Span;

/** A whole {@code .dnn} file: an optional package line and its networks. */
public record CompilationUnit(Optional<QualifiedName> packageName, List<NetworkDecl> networks, Span span) {
    public CompilationUnit {
        networks = List.copyOf(networks);
    }
}
