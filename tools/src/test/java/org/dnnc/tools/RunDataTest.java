package org.dnnc.tools;

import static com.google.common.truth.Truth.assertThat;
import static com.google.common.truth.Truth.assertWithMessage;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.dnnc.runtime.io.Npy;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code dnnc run} feeds any network whose inputs match the data: a language model on a text (bits
 * per byte, no accuracy), a network of two named inputs on {@code .npy} columns, and a network that
 * reads Fashion-MNIST images as 28 rows of 28 values; each reports only the metrics its task has.
 */
class RunDataTest {
    private static final Path ROOT = Path.of("").toAbsolutePath().getParent();

    @TempDir
    Path work;

    @Test
    void aLanguageModelTrainsOnATextAndReportsBitsPerByte() throws IOException {
        Path net = write("Bigram.dnn", """
                network Bigram {
                    input window: int[8];
                    input next: int[8];
                    output logits = window -> embedding(vocab: 256, dim: 16) -> dense(256);
                    train {
                        loss = cross_entropy(logits, next);
                        optimizer = adam(lr: 0.05);
                        batch = 16;
                        epochs = 20;
                    }
                }
                """);
        Path text = write("text.txt", "the quick brown fox ".repeat(60));
        Result r = run("run", net.toString(), "--text", text.toString(), "--threads", "1");
        assertWithMessage(r.err()).that(r.code()).isEqualTo(0);
        assertThat(r.out()).contains("data: " + text + " (1200 bytes; 134 training and 14 test windows of 8)");
        assertThat(r.out()).doesNotContain("NaN");
        Matcher m = Pattern.compile("\"test_loss\":([0-9.]+),\"test_bits_per_byte\":([0-9.]+),\"test_accuracy\":([0-9.]+)}")
                .matcher(r.out());
        assertWithMessage(r.out()).that(m.find()).isTrue();
        double bits = Double.parseDouble(m.group(2));
        assertThat(bits).isWithin(1e-5).of(Double.parseDouble(m.group(1)) / Math.log(2));
        // After a space (four words) or an `o` (two letters) the next byte is a guess; every other one is certain.
        assertThat(bits).isLessThan(1.0);
        assertThat(Double.parseDouble(m.group(3))).isAtLeast(0.75);
        assertThat(r.out()).containsMatch("test: loss [0-9.]+, [0-9.]+ bits per byte, accuracy [0-9.]+ on 14 windows");
    }

    @Test
    void windowsLimitsTheTrainingWindowsAndCharactersTokenizesByCharacter() throws IOException {
        Path net = write("Chars.dnn", """
                network Chars {
                    input window: int[8];
                    input next: int[8];
                    output logits = window -> embedding(vocab: 16, dim: 8) -> dense(16);
                    train {
                        loss = cross_entropy(logits, next);
                        batch = 4;
                        epochs = 1;
                    }
                }
                """);
        // Eleven distinct characters, two of them two bytes long in UTF-8.
        Path text = Files.writeString(work.resolve("text.txt"), "héllo wörld ".repeat(40));
        Result bytes = run("run", net.toString(), "--text", text.toString(), "--threads", "1", "--windows", "5");
        assertWithMessage(bytes.err()).that(bytes.code()).isEqualTo(1);
        assertThat(bytes.err()).isEqualTo("dnnc: error: the text has 256 distinct tokens, but network Chars scores 16 "
                + "classes\n");
        Result chars = run("run", net.toString(), "--text", text.toString(), "--threads", "1", "--windows", "5",
                "--characters");
        assertWithMessage(chars.err()).that(chars.code()).isEqualTo(0);
        assertThat(chars.out()).contains("data: " + text + " (480 characters; 5 training and 5 test windows of 8)");
        assertThat(chars.out()).contains("bits per character");
        assertThat(chars.out()).doesNotContain("bits per byte");
    }

    @Test
    void aTextNeedsAnIntWindowInput() throws IOException {
        Result r = run("run", ROOT.resolve("examples/fashion-mlp/src/main/dnn/FashionMlp.dnn").toString(),
                "--text", write("t.txt", "abc").toString());
        assertThat(r.code()).isEqualTo(1);
        assertThat(r.err()).startsWith("dnnc: error: --text feeds a language model: one int input of shape [T]");
        assertThat(r.err()).contains("but network FashionMlp reads image: float[1, 28, 28] and is trained on label: int");
    }

    @Test
    void textOptionsAreCheckedAsUsage() throws IOException {
        String mlp = ROOT.resolve("examples/fashion-mlp/src/main/dnn/FashionMlp.dnn").toString();
        assertThat(run("run", mlp, "--text", "a", "--data", "b").code()).isEqualTo(2);
        Result windows = run("run", mlp, "--windows", "3");
        assertThat(windows.code()).isEqualTo(2);
        assertThat(windows.err()).contains("--windows applies to --text only");
    }

    @Test
    void npyColumnsFeedInputsByName() throws IOException {
        Path net = write("Pair.dnn", """
                network Pair {
                    input x: float[4];
                    input kind: int;
                    input label: int;
                    output logits = concat(x -> dense(8) -> relu, kind -> embedding(3, 2)) -> dense(16) -> relu -> dense(3);
                    train {
                        loss = cross_entropy(logits, label);
                        optimizer = adam(lr: 0.02);
                        batch = 16;
                        epochs = 30;
                    }
                }
                """);
        for (String part : List.of("train", "test")) {
            Path dir = Files.createDirectories(work.resolve("npy").resolve(part));
            Random random = new Random(part.hashCode());
            int n = 128;
            float[] x = new float[n * 4];
            int[] kind = new int[n];
            int[] label = new int[n];
            for (int i = 0; i < n; i++) {
                boolean up = random.nextBoolean();
                for (int j = 0; j < 4; j++) {
                    x[i * 4 + j] = (float) (random.nextGaussian() * 0.3 + (up ? 1 : -1));
                }
                kind[i] = random.nextInt(3);
                label[i] = (kind[i] + (up ? 1 : 0)) % 3;
            }
            Npy.write(dir.resolve("x.npy"), x, n, 4);
            Npy.write(dir.resolve("kind.npy"), kind, n);
            Npy.write(dir.resolve("label.npy"), label, n);
        }
        Result r = run("run", net.toString(), "--data", work.resolve("npy").toString(), "--threads", "1");
        assertWithMessage(r.err()).that(r.code()).isEqualTo(0);
        assertThat(r.out()).contains("(.npy columns)");
        Matcher m = Pattern.compile("\"test_accuracy\":([0-9.]+)").matcher(r.out());
        assertWithMessage(r.out()).that(m.find()).isTrue();
        assertThat(Double.parseDouble(m.group(1))).isAtLeast(0.9);
        assertThat(r.out()).doesNotContain("bits per");
    }

    @Test
    void npyColumnsThatDoNotFitAreNamed() throws IOException {
        Path dir = work.resolve("npy");
        for (String part : List.of("train", "test")) {
            Path d = Files.createDirectories(dir.resolve(part));
            Npy.write(d.resolve("image.npy"), new float[2 * 5], 2, 5);
            Npy.write(d.resolve("label.npy"), new int[] {0, 1}, 2);
        }
        Result r = run("run", ROOT.resolve("examples/fashion-mlp/src/main/dnn/FashionMlp.dnn").toString(),
                "--data", dir.toString());
        assertThat(r.code()).isEqualTo(1);
        assertThat(r.err()).isEqualTo("dnnc: error: the data has examples of shape [5], but network FashionMlp "
                + "takes inputs of shape [1, 28, 28]\n");
    }

    @Test
    void imagesFeedANetworkThatReadsRows() throws IOException {
        Path net = write("Rows.dnn", """
                network Rows {
                    input image: float[28, 28];
                    input label: int;
                    output logits = image -> flatten -> dense(10);
                    train {
                        loss = cross_entropy(logits, label);
                        epochs = 1;
                    }
                }
                """);
        Result r = run("run", net.toString(), "--data", ROOT.resolve("data/fashion-mnist-subset").toString(),
                "--threads", "1");
        assertWithMessage(r.err()).that(r.code()).isEqualTo(0);
        assertThat(r.out()).contains("images as [28, 28]");
        Matcher m = Pattern.compile("\"test_accuracy\":([0-9.]+)").matcher(r.out());
        assertWithMessage(r.out()).that(m.find()).isTrue();
        assertThat(Double.parseDouble(m.group(1))).isAtLeast(0.7);
    }

    @Test
    void benchRunsTheLanguageModelOnAGivenTextForItsFirstWindows() throws IOException {
        Path text = write("corpus.txt", "Q: Why did the chicken cross the road?\nA: To get to the other side.\n%\n"
                .repeat(50));
        Result r = run("bench", "--model", "lstm_lm", "--text", text.toString(), "--lm-windows", "3", "--threads", "1");
        assertWithMessage(r.err()).that(r.code()).isEqualTo(0);
        assertThat(r.out()).containsMatch("^\\{\"model\":\"lstm_lm\",\"train_tokens_per_s\":[0-9.]+,"
                + "\"infer_tokens_per_s\":[0-9.]+,\"test_bits_per_byte\":[0-9.]+,");
        assertThat(r.out()).contains("\"train_windows\":3,");
    }

    private Path write(String name, String content) throws IOException {
        return Files.writeString(work.resolve(name), content);
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
