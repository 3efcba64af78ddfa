package org.dnnc.compiler.codegen;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
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
     * Compiles {@code source}, the class {@code qualifiedName}, under {@code workDir} and loads it; the
     * classes are in memory by then, so {@code workDir} may be deleted.
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
        // The class files are read now, so that the work folder may go as soon as this returns.
        Map<String, byte[]> bytes = new HashMap<>();
        try (Stream<Path> tree = Files.walk(classes)) {
            for (Path f : tree.filter(p -> p.toString().endsWith(".class")).toList()) {
                String relative = classes.relativize(f).toString().replace(java.io.File.separatorChar, '/');
                bytes.put(relative.substring(0, relative.length() - ".class".length()).replace('/', '.'),
                        Files.readAllBytes(f));
            }
        }
        ClassLoader loader = new Loaded(bytes, JavaSourceCompiler.class.getClassLoader());
        try {
            return loader.loadClass(qualifiedName);
        } catch (ClassNotFoundException e) {
            throw new IllegalStateException("the compiled class " + qualifiedName + " did not load", e);
        }
    }

    /** Defines the compiled classes from their bytes; everything else comes from the parent. */
    private static final class Loaded extends ClassLoader {
        private final Map<String, byte[]> classes;

        Loaded(Map<String, byte[]> classes, ClassLoader parent) {
            super(parent);
            this.classes = classes;
        }

        @Override
        protected Class<?> findClass(String name) throws ClassNotFoundException {
            byte[] b = classes.get(name);
            if (b == null) {
                throw new ClassNotFoundException(name);
            }
            return defineClass(name, b, 0, b.length);
        }
    }
}
