package org.dnnc.tools;

import static com.google.common.truth.Truth.assertThat;
import static com.google.common.truth.Truth.assertWithMessage;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code dnnc bench --synthetic N} (random images, for the GPU machine, which has no data set),
 * {@code --classes DIR} (classes compiled once and loaded on later runs, for its Java runtime
 * without a compiler) and {@code --batch N} (the class compiled for another batch), on the CPU; and
 * {@code --seed N}, which compares accuracies over seeds.
 */
class BenchSyntheticTest {
    @TempDir
    Path work;

    @Test
    void syntheticImagesTrainTheMlpAndTheClassesAreKeptForTheNextRun() throws IOException {
        Path classes = work.resolve("classes");
        String[] args = {"bench", "--model", "mlp", "--synthetic", "200", "--epochs", "1", "--threads", "1",
                "--classes", classes.toString()};
        Result first = run(args);
        assertWithMessage(first.err()).that(first.code()).isEqualTo(0);
        assertThat(first.out()).containsMatch("^\\{\"model\":\"mlp\",\"train_images_per_s\":[0-9]+\\.[0-9],");
        assertThat(first.out()).contains("\"train_examples\":200,");
        List<Path> kept = list(classes);
        assertThat(kept).hasSize(1);
        assertThat(kept.get(0).getFileName().toString()).matches("[0-9a-f]{64}");
        // The second run finds the folder of the same generated source and compiles nothing more.
        long before = Files.getLastModifiedTime(kept.get(0)).toMillis();
        Result second = run(args);
        assertWithMessage(second.err()).that(second.code()).isEqualTo(0);
        assertThat(list(classes)).isEqualTo(kept);
        assertThat(Files.getLastModifiedTime(kept.get(0)).toMillis()).isEqualTo(before);
    }

    @Test
    void syntheticNeedsAPositiveCountAndNoData() {
        for (String[] args : List.of(new String[] {"bench", "--synthetic", "0"},
                new String[] {"bench", "--synthetic", "10", "--data", work.toString()},
                new String[] {"bench", "--model", "lstm_lm", "--synthetic", "10"})) {
            Result r = run(args);
            assertThat(r.code()).isEqualTo(2);
            assertThat(r.err()).contains("--synthetic takes a positive count of images, for an image model, without --data");
        }
    }

    @Test
    void batchCompilesTheClassForItAndTheLineSaysSo() throws Exception {
        Path classes = work.resolve("classes");
        Result r = run("bench", "--model", "mlp", "--synthetic", "20", "--epochs", "1", "--threads", "1", "--batch", "7",
                "--classes", classes.toString());
        assertWithMessage(r.err()).that(r.code()).isEqualTo(0);
        assertThat(r.out()).contains(",\"batch\":7,\"train_examples\":20,");
        // The class kept for the run is planned for 7 examples, not the .dnn's 64.
        List<Path> kept = list(classes);
        assertThat(kept).hasSize(1);
        try (URLClassLoader loader = new URLClassLoader(new URL[] {kept.get(0).resolve("classes").toUri().toURL()},
                getClass().getClassLoader())) {
            Class<?> type = loader.loadClass("org.dnnc.examples.fashion.FashionMlp");
            assertThat(type.getField("MAX_BATCH").getInt(null)).isEqualTo(7);
        }
        Result asWritten = run("bench", "--model", "mlp", "--synthetic", "20", "--epochs", "0", "--threads", "1");
        assertWithMessage(asWritten.err()).that(asWritten.code()).isEqualTo(0);
        assertThat(asWritten.out()).contains(",\"batch\":64,");
    }

    @Test
    void batchNeedsAtLeastOneExample() {
        for (String n : List.of("0", "-3")) {
            Result r = run("bench", "--model", "mlp", "--synthetic", "20", "--batch", n);
            assertThat(r.code()).isEqualTo(2);
            assertThat(r.err()).contains("--batch must be at least 1 example, got " + n);
            assertThat(r.out()).isEmpty();
        }
    }

    @Test
    void aClassesFolderThatCannotBeWrittenIsAnErrorWithoutAStackTrace() throws IOException {
        Path notAFolder = Files.writeString(work.resolve("taken"), "a file where the classes' folder should be");
        Result r = run("bench", "--model", "mlp", "--synthetic", "20", "--epochs", "1", "--threads", "1", "--classes",
                notAFolder.toString());
        assertThat(r.code()).isEqualTo(1);
        assertThat(r.err()).startsWith("dnnc: error: cannot write the compiled classes in " + notAFolder + ": ");
        assertThat(r.err()).doesNotContain("Exception");
    }

    @Test
    void theSeedChoosesTheRunAndARepeatedSeedRepeatsIt() {
        String classes = work.resolve("classes").toString();
        Map<Long, String> accuracies = new TreeMap<>();
        for (long seed : new long[] {5, 6, 7, 5}) {
            Result r = run("bench", "--model", "mlp", "--synthetic", "200", "--threads", "1", "--classes", classes,
                    "--seed", Long.toString(seed));
            assertWithMessage(r.err()).that(r.code()).isEqualTo(0);
            Matcher m = Pattern.compile("\"test_accuracy\":([0-9.]+)").matcher(r.out());
            assertWithMessage(r.out()).that(m.find()).isTrue();
            String previous = accuracies.put(seed, m.group(1));
            if (previous != null) {
                assertWithMessage("seed %s again", seed).that(m.group(1)).isEqualTo(previous);
            }
        }
        // Three seeds, three sets of starting weights and orders: not one accuracy for all.
        assertWithMessage("accuracies by seed %s", accuracies).that(new HashSet<>(accuracies.values()).size())
                .isGreaterThan(1);
        Result negative = run("bench", "--synthetic", "10", "--seed", "-1");
        assertThat(negative.code()).isEqualTo(2);
        assertThat(negative.err()).contains("--seed must not be negative, got -1");
    }

    private static List<Path> list(Path dir) throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.sorted().toList();
        }
    }

    private record Result(int code, String out, String err) {}

    private static Result run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = org.dnnc.compiler.cli.Main.run(args, new PrintWriter(out), new PrintWriter(err), false, Map.of(),
                List.of(new BenchCommand()));
        return new Result(code, out.toString(), err.toString());
    }
}
