package org.dnnc.compiler.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Callable;
import org.dnnc.compiler.codegen.CodegenException;
import org.dnnc.compiler.codegen.JavaGenerator;
import org.dnnc.compiler.diag.SourceFile;
import org.dnnc.compiler.sema.NetworkModel;
import org.dnnc.compiler.target.CpuTarget;
import org.dnnc.compiler.target.Target;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/**
 * {@code dnnc compile FILE... -d OUT [--target cpu,cuda]}: Java sources, one class per network, in
 * package folders under OUT; with the cuda target each class can also run on a GPU.
 */
@Command(name = "compile", mixinStandardHelpOptions = true,
        description = "Generate the Java class of every network in the files, under OUT in package folders.")
final class CompileCommand implements Callable<Integer> {
    @ParentCommand
    private DnncCommand parent;

    @Parameters(arity = "1..*", paramLabel = "FILE", description = "The .dnn files.")
    private List<Path> files;

    @Option(names = "-d", paramLabel = "OUT", required = true, description = "Where the Java sources go.")
    private Path out;

    @Option(names = "--no-fuse", description = "Generate without the fusion passes: one kernel call per op.")
    private boolean noFuse;

    @Option(names = "--target", split = ",", paramLabel = "TARGET", converter = TargetConverter.class,
            description = "The targets the class runs on, comma-separated: cpu (always included, the default device)"
                    + " and cuda, which adds a half that runs on a GPU when the builder chooses Device.CUDA"
                    + " (default: cpu).")
    private List<Target> targets = List.of(CpuTarget.INSTANCE);

    @Override
    public Integer call() {
        Console console = parent.console();
        for (Path path : files) {
            Optional<SourceFile> source = Sources.read(console, path);
            if (source.isEmpty()) {
                return Main.INPUT_ERRORS;
            }
            Optional<List<NetworkModel>> networks = NetworkChoice.compile(console, source.get(), null);
            if (networks.isEmpty()) {
                return Main.INPUT_ERRORS;
            }
            for (NetworkModel model : networks.get()) {
                try {
                    // JavaPoet creates package folders but not the output folder itself.
                    Files.createDirectories(out);
                    JavaGenerator.generate(model, source.get(), !noFuse, Set.copyOf(targets)).writeTo(out);
                    console.out().println("wrote " + model.qualifiedName());
                } catch (CodegenException e) {
                    EmitCommand.report(console, source.get(), model, e);
                    return Main.INPUT_ERRORS;
                } catch (IOException e) {
                    console.error("cannot write to " + out + ": " + e.getMessage());
                    return Main.INPUT_ERRORS;
                }
            }
        }
        console.out().flush();
        return Main.OK;
    }
}
