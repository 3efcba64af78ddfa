package org.dnnc.tools;

import static com.google.common.truth.Truth.assertThat;
import static com.google.common.truth.Truth.assertWithMessage;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * {@code dnnc run} as the README runs it: the Fashion MLP compiled in memory and trained for one
 * epoch on the shipped subset (10,000 images) must reach test accuracy 0.75 on its 2,000 test images
 * (one epoch's accuracy varies with the seed from about 0.77 to 0.82, see GeneratedMlpTest).
 */
class RunCommandTest {
    private static final Path ROOT = root();

    @Test
    void trainsTheExampleOnTheShippedSubset() throws java.io.IOException {
        java.util.Set<Path> before = workFolders();
        Result r = run("run", ROOT.resolve("examples/fashion-mlp/src/main/dnn/FashionMlp.dnn").toString(),
                "--data", ROOT.resolve("data/fashion-mnist-subset").toString(), "--epochs", "1", "--threads", "1");
        assertWithMessage(r.err()).that(r.code()).isEqualTo(0);
        Matcher m = Pattern.compile("\"test_accuracy\":([0-9.]+)").matcher(r.out());
        assertWithMessage(r.out()).that(m.find()).isTrue();
        assertThat(Double.parseDouble(m.group(1))).isAtLeast(0.75);
        assertThat(r.out()).contains("10000 training and 2000 test examples");
        assertWithMessage("the in-memory compiler's work folder is gone").that(workFolders()).isEqualTo(before);
    }

    private static java.util.Set<Path> workFolders() throws java.io.IOException {
        try (var list = java.nio.file.Files.list(Path.of(System.getProperty("java.io.tmpdir")))) {
            return list.filter(p -> p.getFileName().toString().startsWith("dnnc-run"))
                    .collect(java.util.stream.Collectors.toSet());
        }
    }

    @Test
    void benchMeasuresConvolutionalInferenceFusedAndUnfused() {
        String data = ROOT.resolve("data/fashion-mnist-subset").toString();
        for (String fuse : List.of("", "--no-fuse")) {
            List<String> args = new java.util.ArrayList<>(List.of("bench", "--model", "cnn", "--epochs", "0",
                    "--threads", "1", "--data", data));
            if (!fuse.isEmpty()) {
                args.add(fuse);
            }
            Result r = run(args.toArray(String[]::new));
            assertWithMessage(r.err()).that(r.code()).isEqualTo(0);
            assertThat(r.out()).containsMatch("^\\{\"model\":\"cnn\",\"train_images_per_s\":null,\"infer_images_per_s\":[0-9]+\\.[0-9],");
            assertThat(r.out()).contains("\"fused\":" + fuse.isEmpty() + ",\"device\":\"cpu\"}");
        }
        Result bad = run("bench", "--model", "alexnet");
        assertThat(bad.code()).isEqualTo(2);
        assertThat(bad.err()).contains("unknown model 'alexnet'; models: mlp, cnn, resnet, gru, lstm_lm, vgg, strided, wide_mlp");
    }

    @Test
    void benchRunsTheSuiteNetworks() {
        String data = ROOT.resolve("data/fashion-mnist-subset").toString();
        for (String model : List.of("vgg", "strided")) {
            Result r = run("bench", "--model", model, "--epochs", "0", "--threads", "1", "--data", data);
            assertWithMessage(r.err()).that(r.code()).isEqualTo(0);
            assertThat(r.out()).containsMatch("^\\{\"model\":\"" + model + "\",\"train_images_per_s\":null,\"infer_images_per_s\":[0-9]+\\.[0-9],");
        }
        // Too large to run here (20 million parameters): it must at least compile to a class.
        Result wide = run("emit", "java", ROOT.resolve("bench/networks/WideMlp.dnn").toString());
        assertWithMessage(wide.err()).that(wide.code()).isEqualTo(0);
        assertThat(wide.out()).contains("public final class WideMlp");
    }

    @Test
    void errorsInTheFileAreReportedWithoutTraining() {
        Result r = run("run", ROOT.resolve("compiler/src/test/resources/malformed/unknown_layer.dnn").toString());
        assertThat(r.code()).isEqualTo(1);
        assertThat(r.err()).contains("error: unknown layer `dropot`");
        assertThat(r.out()).isEmpty();
    }

    @Test
    void aNetworkWithoutATrainSectionIsRefusedWithAPositionedError(@org.junit.jupiter.api.io.TempDir Path dir)
            throws java.io.IOException {
        Path file = dir.resolve("Scorer.dnn");
        Files.writeString(file, "network Scorer {\n    input x: float[1, 28, 28];\n"
                + "    output y = x -> flatten -> dense(10);\n}\n");
        Result r = run("run", file.toString());
        assertThat(r.code()).isEqualTo(1);
        assertThat(r.err()).contains("Scorer.dnn:1:1: error: network `Scorer` has no train section");
        assertThat(r.out()).isEmpty();
    }

    @Test
    void theShippedCommandLineHasTheCompilerCommandsToo() {
        Result r = run("--help");
        assertThat(r.code()).isEqualTo(0);
        for (String command : List.of("check", "graph", "params", "plan", "emit", "compile", "run", "predict", "bench")) {
            assertThat(r.out()).containsMatch("(?m)^  " + command + " ");
        }
    }

    private record Result(int code, String out, String err) {}

    private static Result run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = org.dnnc.compiler.cli.Main.run(args, new PrintWriter(out), new PrintWriter(err), false, Map.of(),
                List.of(new RunCommand(), new PredictCommand(), new BenchCommand()));
        return new Result(code, out.toString(), err.toString());
    }

    private static Path root() {
        for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
            if (Files.isDirectory(p.resolve("examples")) && Files.isDirectory(p.resolve("data"))) {
                return p;
            }
        }
        throw new IllegalStateException("cannot find the repository root");
    }
}
