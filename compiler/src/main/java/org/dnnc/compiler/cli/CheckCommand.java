package org.dnnc.compiler.cli;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import org.dnnc.compiler.Compilation;
import org.dnnc.compiler.Compiler;
import org.dnnc.compiler.diag.DiagnosticRenderer;
import org.dnnc.compiler.diag.SourceFile;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/** {@code dnnc check FILE...}: parse, resolve and shape-check, reporting every error and warning. */
@Command(name = "check", mixinStandardHelpOptions = true,
        description = "Parse, resolve and shape-check .dnn files; print their errors and warnings.")
final class CheckCommand implements Callable<Integer> {
    @ParentCommand
    private DnncCommand parent;

    @Parameters(arity = "1..*", paramLabel = "FILE", description = "The .dnn files to check.")
    private List<Path> files;

    @Option(names = {"-q", "--quiet"}, description = "Print nothing for files without errors.")
    private boolean quiet;

    @Override
    public Integer call() {
        Console console = parent.console();
        int errors = 0;
        int warnings = 0;
        boolean unreadable = false;
        for (Path path : files) {
            Optional<SourceFile> source = Sources.read(console, path);
            if (source.isEmpty()) {
                unreadable = true;
                continue;
            }
            Compilation compilation = Compiler.compile(source.get());
            console.report(compilation);
            errors += compilation.errorCount();
            warnings += compilation.warningCount();
            if (!compilation.hasErrors() && !quiet) {
                console.out().println(path + ": ok (" + describe(compilation) + ")");
            }
        }
        if (errors + warnings > 0) {
            console.err().println(DiagnosticRenderer.summary(errors, warnings));
        }
        console.out().flush();
        console.err().flush();
        return errors > 0 || unreadable ? Main.INPUT_ERRORS : Main.OK;
    }

    private static String describe(Compilation compilation) {
        if (compilation.networks().isEmpty()) {
            return "no networks";
        }
        return compilation.networks().stream()
                .map(n -> "network " + n.name() + ", "
                        + ParamTable.count(ParamTable.of(n).parameters()) + " parameters")
                .collect(Collectors.joining("; "));
    }
}
