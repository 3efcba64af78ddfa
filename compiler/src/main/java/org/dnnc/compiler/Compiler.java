package org.dnnc.compiler;

import java.util.List;
import org.dnnc.compiler.diag.Diagnostics;
import org.dnnc.compiler.diag.SourceFile;
import org.dnnc.compiler.sema.NetworkModel;
import org.dnnc.compiler.sema.Registry;
import org.dnnc.compiler.sema.Resolver;
import org.dnnc.compiler.syntax.CompilationUnit;
import org.dnnc.compiler.syntax.DnnParserFacade;

/** The front end as one call: parse, resolve names and blocks, check shapes, build each network's graph. */
public final class Compiler {
    private Compiler() {}

    public static Compilation compile(SourceFile file) {
        Diagnostics diagnostics = new Diagnostics();
        List<NetworkModel> networks = DnnParserFacade.parse(file, diagnostics)
                .map((CompilationUnit unit) -> Resolver.resolve(unit, diagnostics, Registry.standard()))
                .orElse(List.of());
        return new Compilation(file, diagnostics.sorted(), diagnostics.hasErrors() ? List.of() : networks);
    }

    /** The compiler's version, from the build. */
    public static String version() {
        try (var in = Compiler.class.getResourceAsStream("version.properties")) {
            var props = new java.util.Properties();
            if (in != null) {
                props.load(in);
            }
            return props.getProperty("version", "unknown");
        } catch (java.io.IOException e) {
            return "unknown";
        }
    }
}
