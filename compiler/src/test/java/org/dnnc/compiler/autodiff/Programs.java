package org.dnnc.compiler.autodiff;

import static com.google.common.truth.Truth.assertWithMessage;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.dnnc.compiler.Compilation;
import org.dnnc.compiler.Compiler;
import org.dnnc.compiler.diag.SourceFile;
import org.dnnc.compiler.sema.NetworkModel;
import org.dnnc.compiler.testing.RepoPaths;

/** Compiles the test networks under {@code autodiff/}. */
final class Programs {
    private Programs() {}

    static List<NetworkModel> compile(String resource) throws IOException {
        Path file = RepoPaths.testResources().resolve("autodiff").resolve(resource);
        Compilation c = Compiler.compile(SourceFile.read(file));
        assertWithMessage("%s: %s", file, c.diagnostics()).that(c.hasErrors()).isFalse();
        return c.networks();
    }
}
