package org.dnnc.compiler.codegen;

import com.palantir.javapoet.ClassName;
import com.palantir.javapoet.CodeBlock;
import com.palantir.javapoet.FieldSpec;
import com.palantir.javapoet.JavaFile;
import com.palantir.javapoet.MethodSpec;
import com.palantir.javapoet.TypeSpec;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import javax.lang.model.element.Modifier;
import org.dnnc.compiler.Compiler;
import org.dnnc.compiler.autodiff.Program;
import org.dnnc.compiler.codegen.cuda.FusedKernels;
import org.dnnc.compiler.diag.SourceFile;
import org.dnnc.compiler.ir.Node;
import org.dnnc.compiler.ir.Param;
import org.dnnc.compiler.lowering.LoweredProgram;
import org.dnnc.compiler.lowering.Lowering;
import org.dnnc.compiler.sema.NetworkModel;
import org.dnnc.compiler.target.CudaTarget;
import org.dnnc.compiler.testing.RepoPaths;

/**
 * The CUDA target's kernel calls of a network's programs, in a class that declares what the calls
 * use as the generated class will: a {@code DevBuf} per planned view and parameter, the context,
 * the dropout state, the counts, a {@code Kernel} per generated kernel, and the layers' constant
 * geometries. Compiling it against {@code org.dnnc.runtime.cuda} holds the emitter to the runtime's
 * signatures until the generator emits such classes itself.
 */
final class CudaCalls {
    private static final String CUDA = "org.dnnc.runtime.cuda";

    /** The class's Java source, and how many calls its methods make. */
    record Source(String text, int calls) {}

    private CudaCalls() {}

    /** The network of the repository's {@code .dnn} file {@code path}, lowered for the CUDA target. */
    static Lowering lower(String path) throws Exception {
        return lower(path, true);
    }

    /** The network of {@code path} lowered for the CUDA target, with or without the fusions. */
    static Lowering lower(String path, boolean fuse) throws Exception {
        SourceFile file = SourceFile.read(RepoPaths.root().resolve(path));
        NetworkModel model = Compiler.compile(file).networks().get(0);
        return Lowering.of(model, CudaTarget.INSTANCE, fuse);
    }

    /** Every program's calls of {@code lowering} as class {@code calls.<name>}, one method per program. */
    static Source of(String name, Lowering lowering) throws CodegenException {
        ClassName devBuf = ClassName.get(CUDA, "DevBuf");
        TypeSpec.Builder type = TypeSpec.classBuilder(name).addModifiers(Modifier.FINAL)
                .addField(ClassName.get(CUDA, "CudaContext"), "ctx", Modifier.PRIVATE)
                .addField(devBuf, "rng", Modifier.PRIVATE)
                .addField(devBuf, "counts", Modifier.PRIVATE);
        FusedKernels.of(lowering).forEach(k -> type.addField(ClassName.get(CUDA, "Kernel"), k.source().name(),
                Modifier.PRIVATE));
        Geometries geometries = new Geometries();
        int calls = 0;
        for (Program.Kind kind : Program.Kind.values()) {
            LoweredProgram program = lowering.program(kind).orElse(null);
            if (program == null) {
                continue;
            }
            String prefix = kind.name().toLowerCase(Locale.ROOT);
            Map<String, String> params = new LinkedHashMap<>();
            for (Node n : program.graph().nodes()) {
                if (n.op() instanceof Param p) {
                    params.put(p.name(), prefix + "Param" + n.id());
                    type.addField(devBuf, prefix + "Param" + n.id(), Modifier.PRIVATE);
                }
            }
            ProgramEmitter emitter = new ProgramEmitter(prefix, program.graph(), program.plan(), params, name + ".dnn",
                    geometries, CudaTarget.INSTANCE.kernels(), false);
            for (FieldSpec f : emitter.fieldSpecs()) {
                type.addField(devBuf, f.name(), Modifier.PRIVATE);
            }
            List<CodeBlock> body = emitter.body();
            calls += body.size();
            MethodSpec.Builder method = MethodSpec.methodBuilder(prefix).addParameter(int.class, "n");
            body.forEach(method::addCode);
            type.addMethod(method.build());
        }
        geometries.fieldSpecs().forEach(type::addField);
        return new Source(JavaFile.builder("calls", type.build()).build().toString(), calls);
    }

    /** Compiles {@code source} with every lint as an error. */
    static void compile(String name, Source source, Path work) throws Exception {
        JavaSourceCompiler.compile("calls." + name, source.text(), work, List.of("-Xlint:all", "-Werror"));
    }
}
