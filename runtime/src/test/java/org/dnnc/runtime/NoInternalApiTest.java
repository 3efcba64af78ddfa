package org.dnnc.runtime;

import static com.google.common.truth.Truth.assertWithMessage;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The runtime uses no JDK-internal API: {@code sun.misc.Unsafe} makes Java 24 and later print a
 * warning on first use (and its memory methods are going away), so no runtime class may name it,
 * directly or as a string for reflection.
 */
class NoInternalApiTest {

    private static final List<String> FORBIDDEN = List.of("sun/misc/Unsafe", "sun.misc.Unsafe", "jdk/internal/");

    @Test
    void noRuntimeClassNamesAnInternalApi() throws IOException {
        Path classes = Path.of(Network.class.getProtectionDomain().getCodeSource().getLocation().getPath());
        List<Path> files;
        try (Stream<Path> walk = Files.walk(classes)) {
            files = walk.filter(p -> p.toString().endsWith(".class")).toList();
        }
        assertWithMessage("runtime classes under %s", classes).that(files.size()).isGreaterThan(50);
        for (Path file : files) {
            String text = new String(Files.readAllBytes(file), StandardCharsets.ISO_8859_1);
            for (String name : FORBIDDEN) {
                assertWithMessage("%s names %s", classes.relativize(file), name).that(text.contains(name)).isFalse();
            }
        }
    }
}
