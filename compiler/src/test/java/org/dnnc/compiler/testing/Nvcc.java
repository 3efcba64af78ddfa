package org.dnnc.compiler.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * The CUDA toolkit's compiler, for tests that check generated CUDA C: found on the {@code PATH} or
 * in {@code /usr/local/cuda/bin}. Where it is absent, tests say so through {@link #reason()} and are
 * skipped, not passed. Compiling to PTX or for the host needs no GPU.
 */
public final class Nvcc {
    private static final Optional<Path> NVCC = find();

    private Nvcc() {}

    /** Whether there is an {@code nvcc} to run. */
    public static boolean present() {
        return NVCC.isPresent();
    }

    /** Why the tests that need {@code nvcc} are skipped. */
    public static String reason() {
        return "needs the CUDA toolkit's nvcc (on the PATH or in /usr/local/cuda/bin) to compile the generated CUDA C";
    }

    /** What a run printed and how it ended. */
    public record Result(int exitCode, String output) {}

    /** Runs {@code nvcc} with {@code args} in {@code dir}, standard error folded into the output. */
    public static Result run(Path dir, String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        command.add(NVCC.orElseThrow(() -> new IllegalStateException(reason())).toString());
        command.addAll(List.of(args));
        return exec(dir, command);
    }

    /** Runs {@code command} in {@code dir} (a program nvcc built, say), standard error folded in. */
    public static Result exec(Path dir, List<String> command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(5, TimeUnit.MINUTES)) {
            p.destroyForcibly();
            throw new IllegalStateException(command + " did not finish in 5 minutes");
        }
        return new Result(p.exitValue(), output);
    }

    private static Optional<Path> find() {
        String path = System.getenv().getOrDefault("PATH", "");
        return Stream.concat(Stream.of(path.split(java.io.File.pathSeparator)), Stream.of("/usr/local/cuda/bin"))
                .filter(dir -> !dir.isEmpty())
                .map(dir -> Path.of(dir, "nvcc"))
                .filter(Files::isExecutable)
                .findFirst();
    }
}
