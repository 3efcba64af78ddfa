package org.dnnc.tools;

import static com.google.common.truth.Truth.assertThat;
import static com.google.common.truth.Truth.assertWithMessage;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A user's mistakes given to {@code dnnc run} exit 1 (bad input) or 2 (bad usage) with a message
 * naming the file and the problem, never 70 (a bug in dnnc): broken data folders, a folder or a
 * non-UTF-8 file as the source, and options out of range.
 */
class RunCommandMistakesTest {
    private static final Path ROOT = Path.of("").toAbsolutePath().getParent();
    private static final Path SUBSET = ROOT.resolve("data/fashion-mnist-subset");
    private static final String MLP = ROOT.resolve("examples/fashion-mlp/src/main/dnn/FashionMlp.dnn").toString();

    @TempDir
    Path work;

    @Test
    void brokenDataFoldersAreInputErrors() throws IOException {
        Path badMagic = copyOfSubset("magic");
        gzip(badMagic.resolve("train-labels-idx1-ubyte.gz"), "not an IDX file".getBytes(StandardCharsets.US_ASCII));
        expect(run("run", MLP, "--data", badMagic.toString()), 1, "dnnc: error: cannot read the data: "
                + badMagic.resolve("train-labels-idx1-ubyte.gz") + ": bad magic number");

        Path counts = copyOfSubset("counts");
        Files.copy(SUBSET.resolve("t10k-labels-idx1-ubyte.gz"), counts.resolve("train-labels-idx1-ubyte.gz"),
                java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        expect(run("run", MLP, "--data", counts.toString()), 1, "dnnc: error: cannot read the data: "
                + counts.resolve("train-labels-idx1-ubyte.gz") + ": holds 2000 labels, but");

        Path truncated = copyOfSubset("truncated");
        Path images = truncated.resolve("train-images-idx3-ubyte.gz");
        byte[] all;
        try (InputStream in = new GZIPInputStream(Files.newInputStream(images))) {
            all = in.readAllBytes();
        }
        gzip(images, java.util.Arrays.copyOf(all, 5000));
        expect(run("run", MLP, "--data", truncated.toString()), 1, "dnnc: error: cannot read the data: " + images
                + ": truncated");
    }

    @Test
    void aFolderOrABinaryFileIsNoSource() throws IOException {
        expect(run("run", work.toString()), 1, "dnnc: error: cannot read " + work + ": it is a directory");
        Path binary = work.resolve("binary.dnn");
        Files.write(binary, new byte[] {(byte) 0xff, (byte) 0xfe, 'n', 'e', 't'});
        expect(run("run", binary.toString()), 1, "dnnc: error: cannot read " + binary + ": not UTF-8 text");
    }

    @Test
    void weightsThatCannotBeLoadedStopTheRunBeforeTraining() throws IOException {
        Path missing = work.resolve("pretrained.safetensors");
        Path source = work.resolve("Pretrained.dnn");
        Files.writeString(source, Files.readString(Path.of(MLP)).replaceFirst("train \\{",
                "train {\n        load_weights(\"" + missing + "\");"));
        Result r = run("run", source.toString());
        expect(r, 1, "dnnc: error: cannot read the weights that load_weights names: " + missing + ": no such file");
        assertThat(r.out()).doesNotContain("data:");
    }

    @Test
    void optionsOutOfRangeAreUsageErrors() {
        expect(run("run", MLP, "--threads", "0"), 2, "--threads must be at least 1, got 0");
        expect(run("run", MLP, "--epochs", "0"), 2, "--epochs must be at least 1, got 0");
    }

    private Path copyOfSubset(String name) throws IOException {
        Path dir = Files.createDirectory(work.resolve(name));
        try (var files = Files.list(SUBSET)) {
            for (Path f : (Iterable<Path>) files::iterator) {
                Files.copy(f, dir.resolve(f.getFileName()));
            }
        }
        return dir;
    }

    private static void gzip(Path file, byte[] content) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (OutputStream out = new GZIPOutputStream(bytes)) {
            out.write(content);
        }
        Files.write(file, bytes.toByteArray());
    }

    private static void expect(Result r, int code, String firstLineStart) {
        assertWithMessage(r.err()).that(r.code()).isEqualTo(code);
        assertThat(r.err().lines().findFirst().orElse("")).startsWith(firstLineStart);
    }

    private record Result(int code, String out, String err) {}

    private static Result run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = org.dnnc.compiler.cli.Main.run(args, new PrintWriter(out), new PrintWriter(err), false, Map.of(),
                List.of(new RunCommand(), new BenchCommand()));
        return new Result(code, out.toString(), err.toString());
    }
}
