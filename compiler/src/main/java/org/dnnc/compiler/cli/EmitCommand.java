package org.dnnc.compiler.cli;

import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.Callable;
import org.dnnc.compiler.autodiff.AutodiffException;
import org.dnnc.compiler.codegen.CodegenException;
import org.dnnc.compiler.codegen.JavaGenerator;
import org.dnnc.compiler.codegen.cuda.FusedKernels;
import org.dnnc.compiler.diag.SourceFile;
import org.dnnc.compiler.lowering.Lowering;
import org.dnnc.compiler.sema.NetworkModel;
import org.dnnc.compiler.target.CpuTarget;
import org.dnnc.compiler.target.CudaTarget;
import org.dnnc.compiler.target.Target;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/**
 * {@code dnnc emit [LANGUAGE] FILE}: the generated code of each network, on standard output: the
 * Java class, or for the CUDA target the CUDA C kernels the compiler generates.
 */
@Command(name = "emit", mixinStandardHelpOptions = true,
        description = "Print the generated code of the networks in FILE.")
final class EmitCommand implements Callable<Integer> {
    @ParentCommand
    private DnncCommand parent;

    @Spec
    private CommandSpec spec;

    @Parameters(arity = "1..2", paramLabel = "[LANGUAGE] FILE",
            description = "What to emit, java or cuda (the generated CUDA C kernels; default: cuda with --target cuda,"
                    + " else java), and the .dnn file.")
    private List<String> words;

    @Option(names = "--target", paramLabel = "NAME", converter = TargetConverter.class,
            description = "The target to compile for: cpu or cuda (default: cpu, or cuda for LANGUAGE cuda).")
    private Target target;

    @Option(names = "--network", paramLabel = "NAME", description = "Only this network of the file.")
    private String network;

    @Option(names = "--no-fuse", description = "Generate without the fusion passes: one kernel call per op.")
    private boolean noFuse;

    /** The generators there are. */
    enum Language {
        JAVA, CUDA
    }

    @Override
    public Integer call() {
        Console console = parent.console();
        Language language = words.size() == 2 ? language(words.get(0))
                : target == CudaTarget.INSTANCE ? Language.CUDA : Language.JAVA;
        Target chosen = target != null ? target : language == Language.CUDA ? CudaTarget.INSTANCE : CpuTarget.INSTANCE;
        if (language == Language.CUDA && chosen != CudaTarget.INSTANCE) {
            throw new ParameterException(spec.commandLine(),
                    "CUDA C is generated for the cuda target only, not for --target " + chosen.name());
        }
        Optional<NetworkChoice.Loaded> loaded = NetworkChoice.load(console, Path.of(words.get(words.size() - 1)),
                network);
        if (loaded.isEmpty()) {
            return Main.INPUT_ERRORS;
        }
        for (NetworkModel model : loaded.get().networks()) {
            SourceFile source = loaded.get().source();
            try {
                Lowering lowering = Lowering.of(model, chosen, !noFuse);
                console.out().print(language == Language.JAVA ? JavaGenerator.generate(lowering, source).toString()
                        : kernels(lowering));
            } catch (AutodiffException e) {
                report(console, source, model, new CodegenException(e.getMessage(), e.origin()));
                return Main.INPUT_ERRORS;
            } catch (CodegenException e) {
                report(console, source, model, e);
                return Main.INPUT_ERRORS;
            }
        }
        console.out().flush();
        return Main.OK;
    }

    private Language language(String word) {
        try {
            return Language.valueOf(word.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), "unknown language '" + word + "' to emit; the languages"
                    + " are java and cuda");
        }
    }

    /** Every generated kernel of {@code lowering}, each after a comment that says what it computes. */
    private static String kernels(Lowering lowering) {
        StringBuilder out = new StringBuilder("// CUDA C kernels of " + lowering.model().qualifiedName() + "\n");
        List<FusedKernels.Kernel> kernels = FusedKernels.of(lowering);
        if (kernels.isEmpty()) {
            out.append("// no fused element-wise chains: every op runs a fixed kernel of the runtime\n");
        }
        for (FusedKernels.Kernel k : kernels) {
            out.append('\n').append(k.header()).append(k.source().source());
        }
        return out.toString();
    }

    static void report(Console console, SourceFile source, NetworkModel model, CodegenException e) {
        console.errorAt(source, e.origin().span().isNone() ? model.span() : e.origin().span(), e.getMessage());
    }
}
