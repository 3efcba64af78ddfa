package org.dnnc.compiler.codegen;

import java.io.IOException;
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

/** Compiles generated sources against the test class path (which holds the runtime) and loads them. */
final class InMemoryJavac {
    private InMemoryJavac() {}

    static Class<?> compile(String qualifiedName, String source, Path workDir) throws IOException, ClassNotFoundException {
        Path src = workDir.resolve("src").resolve(qualifiedName.replace('.', '/') + ".java");
        Path classes = workDir.resolve("classes");
        Files.createDirectories(src.getParent());
        Files.createDirectories(classes);
        Files.writeString(src, source);
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        DiagnosticCollector<JavaFileObject> diagnostics = new DiagnosticCollector<>();
        try (StandardJavaFileManager files = javac.getStandardFileManager(diagnostics, null, null)) {
            boolean ok = javac.getTask(null, files, diagnostics,
                    List.of("-classpath", System.getProperty("java.class.path"), "-d", classes.toString(),
                            "--release", "17", "-Xlint:all", "-Werror"),
                    null, files.getJavaFileObjects(src)).call();
            if (!ok) {
                throw new AssertionError("generated code does not compile:\n" + diagnostics.getDiagnostics());
            }
        }
        URLClassLoader loader = new URLClassLoader(new URL[] {classes.toUri().toURL()}, InMemoryJavac.class.getClassLoader());
        return loader.loadClass(qualifiedName);
    }
}
