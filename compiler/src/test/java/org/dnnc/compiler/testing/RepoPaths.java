package org.dnnc.compiler.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/** Where tests find the repository's files: examples, docs and the compiler's test resources. */
public final class RepoPaths {
    private RepoPaths() {}

    /** The repository root, from {@code dnnc.repoRoot} (set by the build) or by walking up to {@code examples/}. */
    public static Path root() {
        String configured = System.getProperty("dnnc.repoRoot");
        if (configured != null && Files.isDirectory(Path.of(configured, "examples"))) {
            return Path.of(configured).toAbsolutePath().normalize();
        }
        for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
            if (Files.isDirectory(p.resolve("examples")) && Files.isRegularFile(p.resolve("pom.xml"))) {
                return p;
            }
        }
        throw new IllegalStateException("cannot find the repository root from " + Path.of("").toAbsolutePath());
    }

    /** The compiler module's test resources. */
    public static Path testResources() {
        return root().resolve("compiler/src/test/resources");
    }

    /** Every example network: examples/NAME/src/main/dnn/*.dnn, sorted. */
    public static List<Path> exampleFiles() {
        try (Stream<Path> files = Files.walk(root().resolve("examples"))) {
            return files.filter(p -> p.toString().endsWith(".dnn"))
                    .filter(p -> p.getParent().endsWith(Path.of("src/main/dnn")))
                    .sorted()
                    .toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The files with this extension directly in {@code dir}, sorted. */
    public static List<Path> filesIn(Path dir, String extension) {
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(p -> p.toString().endsWith(extension)).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
