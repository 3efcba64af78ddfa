package org.dnnc.compiler.cli;

import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.Callable;
import org.dnnc.compiler.codegen.CodegenException;
import org.dnnc.compiler.codegen.JavaGenerator;
import org.dnnc.compiler.diag.SourceFile;
import org.dnnc.compiler.sema.NetworkModel;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/** {@code dnnc emit java FILE}: the generated Java source of each network, on standard output. */
@Command(name = "emit", mixinStandardHelpOptions = true,
        description = "Print the generated code of the networks in FILE.")
final class EmitCommand implements Callable<Integer> {
    @ParentCommand
    private DnncCommand parent;

    @Parameters(index = "0", paramLabel = "LANGUAGE", description = "What to emit: java.")
    private Language language;

    @Parameters(index = "1", paramLabel = "FILE", description = "The .dnn file.")
    private Path file;

    @Option(names = "--network", paramLabel = "NAME", description = "Only this network of the file.")
    private String network;

    @Option(names = "--no-fuse", description = "Generate without the fusion passes: one kernel call per op.")
    private boolean noFuse;

    /** The generators there are; CUDA C comes with the GPU backend. */
    enum Language {
        JAVA
    }

    @Override
    public Integer call() {
        Console console = parent.console();
        Optional<NetworkChoice.Loaded> loaded = NetworkChoice.load(console, file, network);
        if (loaded.isEmpty()) {
            return Main.INPUT_ERRORS;
        }
        for (NetworkModel model : loaded.get().networks()) {
            try {
                console.out().print(JavaGenerator.generate(model, loaded.get().source(), !noFuse).toString());
            } catch (CodegenException e) {
                report(console, loaded.get().source(), model, e);
                return Main.INPUT_ERRORS;
            }
        }
        console.out().flush();
        return Main.OK;
    }

    static void report(Console console, SourceFile source, NetworkModel model, CodegenException e) {
        console.errorAt(source, e.origin().span().isNone() ? model.span() : e.origin().span(), e.getMessage());
    }
}
