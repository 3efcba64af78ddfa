package org.dnnc.maven;

import static com.google.common.truth.Truth.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A snapshot compiler is told apart by its classes' bytes, a release by its version. */
class CompilerBuildTest {

    @TempDir
    Path dir;

    /** A jar of one class file {@code Compiler.class} holding {@code bytes}, stamped {@code millis}. */
    private Path jar(byte[] bytes, long millis) throws Exception {
        Path jar = dir.resolve("dnnc-compiler.jar");
        try (ZipOutputStream out = new ZipOutputStream(Files.newOutputStream(jar))) {
            ZipEntry entry = new ZipEntry("org/dnnc/compiler/Compiler.class");
            entry.setTime(millis);
            out.putNextEntry(entry);
            out.write(bytes);
            out.closeEntry();
        }
        return jar;
    }

    @Test
    void aSnapshotBuildChangesWithTheBytesOfItsJarsAndFolders() throws Exception {
        Path jar = jar(new byte[] {1, 2, 3}, 0L);
        Path classes = Files.createDirectories(dir.resolve("classes/org/dnnc"));
        Files.write(classes.resolve("A.class"), new byte[] {4});
        List<Path> where = List.of(jar, dir.resolve("classes"));

        String first = CompilerBuild.identity("0.1.0-SNAPSHOT", where);
        assertThat(first).startsWith("0.1.0-SNAPSHOT+");
        assertThat(CompilerBuild.identity("0.1.0-SNAPSHOT", where)).isEqualTo(first);

        // The same classes built again, at another time: the same build.
        jar(new byte[] {1, 2, 3}, 86_400_000L);
        assertThat(CompilerBuild.identity("0.1.0-SNAPSHOT", where)).isEqualTo(first);

        jar(new byte[] {1, 2, 4}, 0L);
        String newerJar = CompilerBuild.identity("0.1.0-SNAPSHOT", where);
        assertThat(newerJar).isNotEqualTo(first);

        Files.write(classes.resolve("B.class"), new byte[] {5});
        assertThat(CompilerBuild.identity("0.1.0-SNAPSHOT", where)).isNotEqualTo(newerJar);
    }

    @Test
    void aReleaseIsItsVersion() throws Exception {
        Path jar = jar(new byte[] {1}, 0L);
        assertThat(CompilerBuild.identity("0.2.0", List.of(jar))).isEqualTo("0.2.0");
    }

    @Test
    void thisJvmsCompilerHasAnIdentityThatStartsWithItsVersion() {
        assertThat(CompilerBuild.identity()).startsWith(org.dnnc.compiler.Compiler.version());
        assertThat(AbstractDnncMojo.configHash("test", java.nio.charset.StandardCharsets.UTF_8, false,
                java.util.Set.of(org.dnnc.compiler.target.CpuTarget.INSTANCE))).hasLength(64);
    }
}
