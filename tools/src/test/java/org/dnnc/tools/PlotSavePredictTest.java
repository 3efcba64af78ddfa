package org.dnnc.tools;

import static com.google.common.truth.Truth.assertThat;
import static com.google.common.truth.Truth.assertWithMessage;

import com.google.gson.JsonParser;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.imageio.ImageIO;
import org.dnnc.runtime.io.Npy;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code dnnc run --plot --save} and {@code dnnc predict}: the curves hold one point per epoch for
 * each series, the saved weights predict the test set with the accuracy {@code run} reported, a
 * checkpoint of another network is refused by name, and a learning-rate range test prints its
 * suggestion and plots every step's loss against the rate.
 */
class PlotSavePredictTest {
    private static final String BLOBS = """
            network Blobs {
                input x: float[4];
                input label: int;
                logits = x -> dense(8) -> relu -> dense(3);
                output probs = softmax(logits);
                train {
                    loss = cross_entropy(logits, label);
                    optimizer = adam(lr: 0.02);
                    batch = 16;
                    epochs = 3;
                    validation_split = 0.25;
                }
            }
            """;
    private static final int EXAMPLES = 128;
    private static final Pattern POLYLINE = Pattern.compile("<polyline data-series=\"([^\"]+)\"[^>]*points=\"([^\"]*)\"");

    @TempDir
    Path work;

    @Test
    void runDrawsEveryEpochAndSavesWeightsThatPredictReadsBack() throws IOException {
        Path net = write("Blobs.dnn", BLOBS);
        Path data = blobs();
        Path svg = work.resolve("curves.svg");
        Path weights = work.resolve("blobs.safetensors");
        Path history = work.resolve("history.csv");
        Path batches = work.resolve("batches.json");
        Result r = run("run", net.toString(), "--data", data.toString(), "--threads", "1", "--plot", svg.toString(),
                "--save", weights.toString(), "--history", history.toString(), "--batches", batches.toString());
        assertWithMessage(r.err()).that(r.code()).isEqualTo(0);
        List<String> epochs = Files.readAllLines(history);
        assertThat(epochs).hasSize(1 + 3);
        assertThat(epochs.get(0)).startsWith("epoch,steps,examples,loss,accuracy,val_loss,val_accuracy,");
        // 96 training examples in batches of 16: 6 steps per epoch.
        assertThat(JsonParser.parseString(Files.readString(batches)).getAsJsonArray().size()).isEqualTo(3 * 6);
        assertThat(r.out()).contains("plot: " + svg);
        assertThat(r.out()).contains("weights: " + weights);
        Map<String, Integer> points = series(Files.readString(svg));
        assertThat(points).containsExactly("training loss", 3, "validation loss", 3, "training accuracy", 3,
                "validation accuracy", 3);

        Matcher accuracy = Pattern.compile("\"test_accuracy\":([0-9.]+)").matcher(r.out());
        assertWithMessage(r.out()).that(accuracy.find()).isTrue();
        Result p = run("predict", net.toString(), "--weights", weights.toString(), "--data", data.toString());
        assertWithMessage(p.err()).that(p.code()).isEqualTo(0);
        List<String> lines = p.out().lines().toList();
        assertThat(lines.get(1)).isEqualTo("example\tclass\tprobability\tlabel");
        assertThat(lines).hasSize(EXAMPLES + 3);
        for (String line : lines.subList(2, EXAMPLES + 2)) {
            String[] fields = line.split("\t");
            assertThat(Integer.parseInt(fields[1])).isIn(List.of(0, 1, 2));
            assertThat(Double.parseDouble(fields[2])).isIn(com.google.common.collect.Range.closed(1 / 3.0, 1.0));
        }
        Matcher predicted = Pattern.compile("accuracy ([0-9.]+) on 128 examples").matcher(lines.get(EXAMPLES + 2));
        assertWithMessage(p.out()).that(predicted.matches()).isTrue();
        assertThat(Double.parseDouble(predicted.group(1))).isWithin(1e-4).of(Double.parseDouble(accuracy.group(1)));

        Result limited = run("predict", net.toString(), "--weights", weights.toString(), "--data", data.toString(),
                "--limit", "5");
        assertThat(limited.out().lines().count()).isEqualTo(5 + 3);
    }

    @Test
    void runAndPredictShareTheClassesKeptUnderClasses() throws IOException {
        Path net = write("Blobs.dnn", BLOBS);
        Path data = blobs();
        Path classes = work.resolve("classes");
        Path weights = work.resolve("blobs.safetensors");
        Result r = run("run", net.toString(), "--data", data.toString(), "--threads", "1", "--epochs", "1",
                "--classes", classes.toString(), "--save", weights.toString());
        assertWithMessage(r.err()).that(r.code()).isEqualTo(0);
        List<Path> kept;
        try (var files = Files.list(classes)) {
            kept = files.toList();
        }
        assertThat(kept).hasSize(1);
        assertThat(kept.get(0).getFileName().toString()).matches("[0-9a-f]{64}");
        long compiledAt = Files.getLastModifiedTime(kept.get(0)).toMillis();
        // predict generates the same CPU source, so it loads the classes run kept instead of compiling.
        Result p = run("predict", net.toString(), "--weights", weights.toString(), "--data", data.toString(),
                "--classes", classes.toString());
        assertWithMessage(p.err()).that(p.code()).isEqualTo(0);
        try (var files = Files.list(classes)) {
            assertThat(files.toList()).isEqualTo(kept);
        }
        assertThat(Files.getLastModifiedTime(kept.get(0)).toMillis()).isEqualTo(compiledAt);
        Matcher accuracy = Pattern.compile("\"test_accuracy\":([0-9.]+)").matcher(r.out());
        assertWithMessage(r.out()).that(accuracy.find()).isTrue();
        Matcher predicted = Pattern.compile("accuracy ([0-9.]+) on 128 examples").matcher(p.out());
        assertWithMessage(p.out()).that(predicted.find()).isTrue();
        assertThat(Double.parseDouble(predicted.group(1))).isWithin(1e-4).of(Double.parseDouble(accuracy.group(1)));

        Path notAFolder = write("taken", "a file where the classes' folder should be");
        Result bad = run("run", net.toString(), "--data", data.toString(), "--classes", notAFolder.toString());
        assertThat(bad.code()).isEqualTo(1);
        assertThat(bad.err()).startsWith("dnnc: error: cannot write the compiled classes in " + notAFolder + ": ");
        assertThat(bad.err()).doesNotContain("Exception");
    }

    @Test
    void aPngPlotIsAnImageOfBothPanels() throws IOException {
        Path png = work.resolve("curves.png");
        Result r = run("run", write("Blobs.dnn", BLOBS).toString(), "--data", blobs().toString(), "--threads", "1",
                "--epochs", "1", "--plot", png.toString());
        assertWithMessage(r.err()).that(r.code()).isEqualTo(0);
        BufferedImage image = ImageIO.read(png.toFile());
        assertThat(image).isNotNull();
        assertThat(image.getWidth()).isEqualTo(2 * 460);
        Result bad = run("run", write("Blobs.dnn", BLOBS).toString(), "--plot", work.resolve("curves.pdf").toString());
        assertThat(bad.code()).isEqualTo(2);
        assertThat(bad.err()).contains("the file's extension chooses the format, .svg or .png");
        Result badLog = run("run", write("Blobs.dnn", BLOBS).toString(), "--history", work.resolve("h.txt").toString());
        assertThat(badLog.code()).isEqualTo(2);
        assertThat(badLog.err()).contains("--history " + work.resolve("h.txt") + ": the file's extension chooses the"
                + " format, .csv or .json");
    }

    @Test
    void predictRefusesACheckpointOfAnotherNetworkAndAMissingFile() throws IOException {
        Path weights = work.resolve("blobs.safetensors");
        Path data = blobs();
        Result r = run("run", write("Blobs.dnn", BLOBS).toString(), "--data", data.toString(), "--threads", "1",
                "--epochs", "1", "--save", weights.toString());
        assertWithMessage(r.err()).that(r.code()).isEqualTo(0);
        Path wider = write("Wider.dnn", BLOBS.replace("Blobs", "Wider").replace("dense(8)", "dense(16)"));
        Result p = run("predict", wider.toString(), "--weights", weights.toString(), "--data", data.toString());
        assertThat(p.code()).isEqualTo(1);
        assertThat(p.err()).startsWith("dnnc: error: " + weights + " does not fit network Wider: ");
        assertThat(p.err()).contains("dense");
        assertThat(p.out()).isEmpty();
        Result missing = run("predict", wider.toString(), "--weights", work.resolve("none.safetensors").toString(),
                "--data", data.toString());
        assertThat(missing.code()).isEqualTo(1);
        assertThat(missing.err()).contains("no such file or folder");
    }

    @Test
    void aRangeTestPrintsItsSuggestionAndPlotsEveryStepAgainstTheRate() throws IOException {
        Path net = write("Finder.dnn", BLOBS.replace("Blobs", "Finder").replace("validation_split = 0.25;",
                "schedule = lr_range_test(start: 1e-4, end: 1, over: 40 steps);").replace("epochs = 3", "epochs = 10"));
        Path svg = work.resolve("finder.svg");
        Result r = run("run", net.toString(), "--data", blobs().toString(), "--threads", "1", "--plot", svg.toString());
        assertWithMessage(r.err()).that(r.code()).isEqualTo(0);
        Matcher suggested = Pattern.compile("suggested rate ([0-9.e+-]+) \\(steepest descent of the smoothed loss\\)")
                .matcher(r.out());
        assertWithMessage(r.out()).that(suggested.find()).isTrue();
        assertThat(Double.parseDouble(suggested.group(1))).isIn(com.google.common.collect.Range.closed(1e-4, 1.0));
        String plot = Files.readString(svg);
        assertThat(series(plot)).containsExactly("loss", 40, "smoothed loss", 40);
        assertThat(plot).contains(">learning rate (log scale)</text>");
        assertThat(plot).contains(">1e-4</text>");
    }

    /** Each polyline's series name and its number of points. */
    private static Map<String, Integer> series(String svg) {
        Map<String, Integer> counts = new HashMap<>();
        Matcher m = POLYLINE.matcher(svg);
        while (m.find()) {
            counts.put(m.group(1), m.group(2).isEmpty() ? 0 : m.group(2).split(" ").length);
        }
        return counts;
    }

    /** train/ and test/ folders of .npy columns: four features around one of three centres, and the centre's label. */
    private Path blobs() throws IOException {
        Path root = work.resolve("blobs");
        for (String part : List.of("train", "test")) {
            Path dir = Files.createDirectories(root.resolve(part));
            Random random = new Random(part.hashCode());
            float[] x = new float[EXAMPLES * 4];
            int[] label = new int[EXAMPLES];
            for (int i = 0; i < EXAMPLES; i++) {
                label[i] = random.nextInt(3);
                for (int j = 0; j < 4; j++) {
                    x[i * 4 + j] = (float) (random.nextGaussian() * 0.5 + (j % 3 == label[i] ? 1.5 : 0));
                }
            }
            Npy.write(dir.resolve("x.npy"), x, EXAMPLES, 4);
            Npy.write(dir.resolve("label.npy"), label, EXAMPLES);
        }
        return root;
    }

    private Path write(String name, String text) throws IOException {
        return Files.writeString(work.resolve(name), text);
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
