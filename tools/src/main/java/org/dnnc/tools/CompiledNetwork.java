package org.dnnc.tools;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import javax.tools.DiagnosticCollector;
import javax.tools.JavaCompiler;
import javax.tools.JavaFileObject;
import javax.tools.StandardJavaFileManager;
import javax.tools.ToolProvider;
import org.dnnc.compiler.codegen.CodegenException;
import org.dnnc.compiler.codegen.JavaGenerator;
import org.dnnc.compiler.diag.SourceFile;
import org.dnnc.compiler.sema.NetworkModel;
import org.dnnc.runtime.train.TrainableNetwork;
import org.dnnc.runtime.train.Trainer;

/**
 * A network compiled in memory: its generated source compiled with the JDK's compiler against the
 * runtime this process runs with, and loaded in a class loader of its own.
 */
final class CompiledNetwork {
    private final Class<?> type;

    private CompiledNetwork(Class<?> type) {
        this.type = type;
    }

    static CompiledNetwork compile(NetworkModel model, SourceFile source) throws CodegenException {
        String code = JavaGenerator.generate(model, source).toString();
        try {
            Path dir = Files.createTempDirectory("dnnc-run");
            dir.toFile().deleteOnExit();
            Path file = dir.resolve("src").resolve(model.qualifiedName().replace('.', '/') + ".java");
            Path classes = dir.resolve("classes");
            Files.createDirectories(file.getParent());
            Files.createDirectories(classes);
            Files.writeString(file, code);
            JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
            if (javac == null) {
                throw new IllegalStateException("dnnc run needs a JDK (javax.tools), not a bare JRE");
            }
            DiagnosticCollector<JavaFileObject> diagnostics = new DiagnosticCollector<>();
            try (StandardJavaFileManager files = javac.getStandardFileManager(diagnostics, null, null)) {
                boolean ok = javac.getTask(null, files, diagnostics,
                        List.of("-classpath", System.getProperty("java.class.path"), "-d", classes.toString(),
                                "--release", "17"),
                        null, files.getJavaFileObjects(file)).call();
                if (!ok) {
                    throw new IllegalStateException("the generated code of " + model.name() + " does not compile: "
                            + diagnostics.getDiagnostics());
                }
            }
            ClassLoader loader = new URLClassLoader(new URL[] {classes.toUri().toURL()}, CompiledNetwork.class.getClassLoader());
            return new CompiledNetwork(loader.loadClass(model.qualifiedName()));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (ClassNotFoundException e) {
            throw new IllegalStateException("the generated class did not load", e);
        }
    }

    /** A new instance from the generated builder. */
    TrainableNetwork build(long seed, int threads) {
        try {
            Object builder = type.getMethod("builder").invoke(null);
            builder.getClass().getMethod("seed", long.class).invoke(builder, seed);
            builder.getClass().getMethod("threads", int.class).invoke(builder, threads);
            return (TrainableNetwork) builder.getClass().getMethod("build").invoke(builder);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("the generated builder failed", e);
        }
    }

    /** The generated {@code trainer()}: the train section's settings, ready to adjust. */
    Trainer.Builder trainer() {
        try {
            return (Trainer.Builder) type.getMethod("trainer").invoke(null);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("the generated trainer() failed", e);
        }
    }

    /** A public constant of the generated class, such as {@code LEARNING_RATE}. */
    Object constant(String name) {
        try {
            return type.getField(name).get(null);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("the generated class has no constant " + name, e);
        }
    }

    /** {@code predict(float[] x, int count, float[] out)} of the generated class. */
    void predict(TrainableNetwork net, float[] x, int count, float[] out) {
        try {
            type.getMethod("predict", float[].class, int.class, float[].class).invoke(net, x, count, out);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("predict failed", e);
        }
    }
}
