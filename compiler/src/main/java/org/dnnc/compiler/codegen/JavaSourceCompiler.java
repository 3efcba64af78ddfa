package org.dnnc.compiler.codegen;

import java.io.IOException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import javax.tools.DiagnosticCollector;
import javax.tools.JavaCompiler;
import javax.tools.JavaFileObject;
import javax.tools.StandardJavaFileManager;
import javax.tools.ToolProvider;

/**
 * Compiles a generated class with the JDK's compiler against this process's class path (which
 * must hold the runtime) and loads it in a class loader of its own: for {@code dnnc run}, which
 * trains without a build, and for tests of the generated code.
 */
public final class JavaSourceCompiler {
    private JavaSourceCompiler() {}

    /**
     * Compiles {@code source}, the class {@code qualifiedName}, under {@code workDir} and loads it.
     *
     * @param options more javac options, such as {@code -Xlint:all -Werror}
     * @throws IllegalStateException if there is no JDK compiler, or the source does not compile
     */
    public static Class<?> compile(String qualifiedName, String source, Path workDir, List<String> options)
            throws IOException {
        Path file = workDir.resolve("src").resolve(qualifiedName.replace('.', '/') + ".java");
        Path classes = workDir.resolve("classes");
        Files.createDirectories(file.getParent());
        Files.createDirectories(classes);
        Files.writeString(file, source);
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        if (javac == null) {
            throw new IllegalStateException("compiling generated code needs a JDK (javax.tools), not a bare JRE");
        }
        List<String> arguments = new ArrayList<>(List.of("-classpath", System.getProperty("java.class.path"),
                "-d", classes.toString(), "--release", "17"));
        arguments.addAll(options);
        DiagnosticCollector<JavaFileObject> diagnostics = new DiagnosticCollector<>();
        try (StandardJavaFileManager files = javac.getStandardFileManager(diagnostics, null, null)) {
            if (!javac.getTask(null, files, diagnostics, arguments, null, files.getJavaFileObjects(file)).call()) {
                throw new IllegalStateException("the generated code of " + qualifiedName + " does not compile:\n"
                        + diagnostics.getDiagnostics());
            }
        }
        ClassLoader loader = new URLClassLoader(new URL[] {classes.toUri().toURL()}, JavaSourceCompiler.class.getClassLoader());
        try {
            return loader.loadClass(qualifiedName);
        } catch (ClassNotFoundException e) {
            throw new IllegalStateException("the compiled class " + qualifiedName + " did not load", e);
        }
    }
}
