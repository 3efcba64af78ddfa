package org.dnnc.tools;

import static com.google.common.truth.Truth.assertThat;
import static com.google.common.truth.Truth.assertWithMessage;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.dnnc.runtime.io.Npy;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code dnnc run}'s warm-up trains a scratch copy of the network, so the network that is trained
 * and saved must come out bit for bit as it does without {@code --warm-up}: with batch norm (batch
 * statistics and running averages), dropout (its generator), max-pooling, Adam's moments, a
 * validation split and two threads.
 */
class WarmUpTest {
    private static final String NET = """
            network Tiny {
                input image: float[1, 8, 8];
                input label: int;
                logits = image -> conv2d(4, 3, padding: same) -> batchnorm -> relu -> maxpool(2)
                               -> flatten -> dropout(0.3) -> dense(3);
                output probs = softmax(logits);
                train {
                    loss = cross_entropy(logits, label);
                    optimizer = adam(lr: 0.01);
                    batch = 8;
                    epochs = 2;
                    validation_split = 0.25;
                }
            }
            """;
    private static final int EXAMPLES = 96;

    @TempDir
    Path work;

    @Test
    void theWarmUpLeavesTheTrainedWeightsBitIdentical() throws IOException {
        Path net = Files.writeString(work.resolve("Tiny.dnn"), NET);
        Path data = images();
        Path warm = work.resolve("warm.safetensors");
        Path cold = work.resolve("cold.safetensors");
        Path warmHistory = work.resolve("warm.csv");
        Path coldHistory = work.resolve("cold.csv");

        // The default.
        Result withWarmUp = run("run", net.toString(), "--data", data.toString(), "--threads", "2",
                "--save", warm.toString(), "--history", warmHistory.toString());
        assertWithMessage(withWarmUp.err()).that(withWarmUp.code()).isEqualTo(0);
        // 96 examples in batches of 8: at most 24 warm-up steps, two passes over the data.
        assertThat(withWarmUp.out()).containsMatch("(?m)^warm-up: ([1-9]|1[0-9]|2[0-4]) steps? on a scratch copy of the network in "
                + "[0-9.]+s \\(not counted in the epochs\\)$");

        Result without = run("run", net.toString(), "--data", data.toString(), "--threads", "2", "--no-warm-up",
                "--save", cold.toString(), "--history", coldHistory.toString());
        assertWithMessage(without.err()).that(without.code()).isEqualTo(0);
        assertThat(without.out()).doesNotContain("warm-up");

        assertWithMessage("the first byte at which the saved weights differ")
                .that(Arrays.mismatch(Files.readAllBytes(warm), Files.readAllBytes(cold))).isEqualTo(-1);
        assertThat(measured(warmHistory)).isEqualTo(measured(coldHistory));
    }

    /** The history's losses and accuracies, without its timings. */
    private static List<String> measured(Path history) throws IOException {
        List<String> lines = Files.readAllLines(history);
        List<String> header = List.of(lines.get(0).split(","));
        int seconds = header.indexOf("seconds");
        assertWithMessage(lines.get(0)).that(seconds).isAtLeast(0);
        return lines.stream().map(l -> String.join(",", List.of(l.split(",")).subList(0, seconds))).toList();
    }

    /** Random 8×8 images in 3 classes, each class brighter in its own band of rows. */
    private Path images() throws IOException {
        Path root = work.resolve("images");
        for (String part : List.of("train", "test")) {
            Path dir = Files.createDirectories(root.resolve(part));
            Random random = new Random(part.hashCode());
            float[] image = new float[EXAMPLES * 64];
            int[] label = new int[EXAMPLES];
            for (int i = 0; i < EXAMPLES; i++) {
                label[i] = random.nextInt(3);
                for (int p = 0; p < 64; p++) {
                    image[i * 64 + p] = (float) (random.nextGaussian() * 0.5 + (p / 8 / 3 == label[i] ? 1 : 0));
                }
            }
            Npy.write(dir.resolve("image.npy"), image, EXAMPLES, 1, 8, 8);
            Npy.write(dir.resolve("label.npy"), label, EXAMPLES);
        }
        return root;
    }

    private record Result(int code, String out, String err) {}

    private static Result run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = org.dnnc.compiler.cli.Main.run(args, new PrintWriter(out), new PrintWriter(err), false, Map.of(),
                List.of(new RunCommand(), new PredictCommand(), new BenchCommand()));
        return new Result(code, out.toString(), err.toString());
    }
}
