package org.dnnc.compiler.cli;

import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;
import org.dnnc.compiler.Compilation;
import org.dnnc.compiler.Compiler;
import org.dnnc.compiler.diag.SourceFile;
import org.dnnc.compiler.sema.NetworkModel;

/** Compiles one file for the commands that show a network, and picks the networks asked for. */
final class NetworkChoice {
    private NetworkChoice() {}

    /** A file and the networks chosen from it. */
    record Loaded(SourceFile source, List<NetworkModel> networks) {}

    /** Reads and compiles {@code path}, or empty after reporting why not (unreadable, errors, no such network). */
    static Optional<Loaded> load(Console console, java.nio.file.Path path, String only) {
        Optional<SourceFile> source = Sources.read(console, path);
        if (source.isEmpty()) {
            return Optional.empty();
        }
        return compile(console, source.get(), only).map(networks -> new Loaded(source.get(), networks));
    }

    /**
     * The networks of {@code source} named by {@code only} (all when null), or empty after
     * reporting errors in the file or an unknown name.
     */
    static Optional<List<NetworkModel>> compile(Console console, SourceFile source, String only) {
        Compilation compilation = Compiler.compile(source);
        console.report(compilation);
        if (compilation.hasErrors()) {
            console.err().println(org.dnnc.compiler.diag.DiagnosticRenderer.summary(
                    compilation.errorCount(), compilation.warningCount()));
            return Optional.empty();
        }
        List<NetworkModel> networks = compilation.networks();
        if (only == null) {
            if (networks.isEmpty()) {
                console.error(source.path() + " declares no network");
                return Optional.empty();
            }
            return Optional.of(networks);
        }
        List<NetworkModel> chosen = networks.stream().filter(n -> n.name().equals(only)).toList();
        if (chosen.isEmpty()) {
            console.error(source.path() + " has no network named " + only + "; it declares: "
                    + networks.stream().map(NetworkModel::name).collect(Collectors.joining(", ")));
            return Optional.empty();
        }
        return Optional.of(chosen);
    }
}
