package org.dnnc.kernels;

import static com.google.common.truth.Truth.assertThat;
import static com.google.common.truth.Truth.assertWithMessage;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every kernel family compiles with {@code nvcc -ptx -arch=compute_90} (Hopper), so that a syntax
 * or type error fails the build on machines without a GPU. NVRTC compiles the same text at run
 * time, so the sources must also keep to what it provides built in: no {@code #include}, and only
 * {@code extern "C"} kernels (their names are looked up unmangled).
 */
class KernelSourcesCompileTest {

    private static final Path SOURCES = Path.of("src/main/resources/org/dnnc/kernels");

    @TempDir
    Path out;

    static List<Path> sources() throws IOException {
        try (Stream<Path> files = Files.list(SOURCES)) {
            return files.filter(p -> p.toString().endsWith(".cu")).sorted().toList();
        }
    }

    @Test
    void everyFamilyIsPlainNvrtcCompatibleCudaC() throws IOException {
        List<Path> sources = sources();
        assertThat(sources).isNotEmpty();
        for (Path source : sources) {
            String text = Files.readString(source);
            assertWithMessage("%s includes a header, which NVRTC does not have", source).that(text).doesNotContain("#include");
            assertWithMessage("%s declares a kernel that is not extern \"C\"", source)
                    .that(text.replace("extern \"C\" __global__", "")).doesNotContain("__global__");
            assertWithMessage("%s declares no kernel", source).that(text).contains("extern \"C\" __global__");
        }
    }

    @TestFactory
    Stream<DynamicTest> everyFamilyCompilesWithNvcc() throws IOException {
        String nvcc = findNvcc();
        return sources().stream().map(source -> DynamicTest.dynamicTest(source.getFileName().toString(), () -> {
            assumeTrue(nvcc != null, "nvcc is not on the PATH: the CUDA kernel sources are not compiled on this machine");
            Path ptx = out.resolve(source.getFileName() + ".ptx");
            Path log = out.resolve(source.getFileName() + ".log");
            Process p = new ProcessBuilder(nvcc, "-ptx", "-arch=compute_90", source.toAbsolutePath().toString(),
                    "-o", ptx.toString()).redirectErrorStream(true).redirectOutput(log.toFile()).start();
            assertWithMessage("nvcc did not finish on %s", source).that(p.waitFor(300, TimeUnit.SECONDS)).isTrue();
            String messages = Files.readString(log, StandardCharsets.UTF_8);
            assertWithMessage("nvcc -ptx failed on %s:\n%s", source, messages).that(p.exitValue()).isEqualTo(0);
            assertWithMessage("nvcc warned on %s:\n%s", source, messages).that(messages.strip()).isEmpty();
            assertThat(Files.readString(ptx)).contains(".entry");
        }));
    }

    /** The nvcc executable on the PATH, or null. */
    private static String findNvcc() {
        String path = System.getenv("PATH");
        if (path == null) {
            return null;
        }
        for (String dir : path.split(File.pathSeparator)) {
            Path candidate = Path.of(dir, "nvcc");
            if (Files.isExecutable(candidate)) {
                return candidate.toString();
            }
        }
        return null;
    }
}
