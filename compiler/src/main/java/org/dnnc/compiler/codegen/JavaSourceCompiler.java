package org.dnnc.compiler.codegen;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
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
        return compile(Map.of(qualifiedName, source), workDir, options).get(qualifiedName);
    }

    /**
     * Compiles several classes together, each source by its class's qualified name, and loads them
     * in one class loader: classes of one package, such as the networks of one file, see each other
     * as they would in a build.
     *
     * @return each class by its qualified name
     * @throws IllegalStateException if there is no JDK compiler, or a source does not compile
     */
    public static Map<String, Class<?>> compile(Map<String, String> sources, Path workDir, List<String> options)
            throws IOException {
        Path classes = workDir.resolve("classes");
        Files.createDirectories(classes);
        List<Path> files = new ArrayList<>();
        for (var source : sources.entrySet()) {
            Path file = workDir.resolve("src").resolve(source.getKey().replace('.', '/') + ".java");
            Files.createDirectories(file.getParent());
            Files.writeString(file, source.getValue());
            files.add(file);
        }
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        if (javac == null) {
            throw new IllegalStateException("compiling generated code needs a JDK (javax.tools), not a bare JRE");
        }
        List<String> arguments = new ArrayList<>(List.of("-classpath", System.getProperty("java.class.path"),
                "-d", classes.toString(), "--release", "17"));
        arguments.addAll(options);
        DiagnosticCollector<JavaFileObject> diagnostics = new DiagnosticCollector<>();
        try (StandardJavaFileManager fileManager = javac.getStandardFileManager(diagnostics, null, null)) {
            if (!javac.getTask(null, fileManager, diagnostics, arguments, null,
                    fileManager.getJavaFileObjectsFromPaths(files)).call()) {
                throw new IllegalStateException("the generated code of " + String.join(", ", sources.keySet())
                        + " does not compile:\n" + diagnostics.getDiagnostics());
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
        Map<String, Class<?>> loaded = new LinkedHashMap<>();
        for (String name : sources.keySet()) {
            try {
                loaded.put(name, loader.loadClass(name));
            } catch (ClassNotFoundException e) {
                throw new IllegalStateException("the compiled class " + name + " did not load", e);
            }
        }
        return loaded;
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
