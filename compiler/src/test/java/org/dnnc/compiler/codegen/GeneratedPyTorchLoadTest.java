package org.dnnc.compiler.codegen;

import static com.google.common.truth.Truth.assertThat;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.lang.reflect.InvocationTargetException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import org.dnnc.runtime.Inputs;
import org.dnnc.runtime.io.Checkpoint;
import org.dnnc.runtime.io.CheckpointException;
import org.dnnc.runtime.io.DType;
import org.dnnc.runtime.io.LoadOptions;
import org.dnnc.runtime.io.LoadReport;
import org.dnnc.runtime.io.Safetensors;
import org.dnnc.runtime.io.TensorData;
import org.dnnc.runtime.train.TrainableNetwork;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A checkpoint as PyTorch writes one ({@code features.0.weight}-style names, BatchNorm's {@code
 * num_batches_tracked}, F16 and BF16 tensors), made here byte for byte in the safetensors layout,
 * loads into a generated class through renaming rules, from Java and from {@code load_weights}:
 * the network then predicts exactly what the network whose weights the file holds predicts. A
 * strict load of a file without the head, a misspelt rule and a missing file fail in {@code
 * build()}, before any training, naming the tensors.
 */
class GeneratedPyTorchLoadTest {
    private static final String NET = """
            package org.dnnc.test;

            network Tl {
                input image: float[1, 6, 6];
                input label: int;
                feat = image -> conv2d(4, 3, padding: same) -> batchnorm -> relu -> flatten;
                logits = feat -> dense(3);
                output probs = softmax(logits);
                train {
                    loss = cross_entropy(logits, label);
                    optimizer = sgd(lr: 0.1);
                    batch = 4;
                    %s
                }
            }
            """;
    /** PyTorch's names (an {@code nn.Sequential} body and a {@code classifier}) to dnnc's. */
    private static final Map<String, String> TORCH_TO_DNNC = Map.of("features.0.", "feat.conv2d1.",
            "features.1.", "feat.batchnorm1.", "classifier.", "logits.dense1.");
    private static final String MAP = "features.0.=feat.conv2d1., features.1.=feat.batchnorm1., classifier.=logits.dense1.";
    /** Stored in half precision in the fixture: a conv kernel and a running variance (F16), the head's weight (BF16). */
    private static final Map<String, DType> HALF = Map.of("feat.conv2d1.weight", DType.F16,
            "feat.batchnorm1.running_var", DType.F16, "logits.dense1.weight", DType.BF16);

    @TempDir
    Path work;

    @Test
    void aPytorchCheckpointPredictsAsTheWeightsItHolds() throws Exception {
        Path torch = work.resolve("torch.safetensors");
        float[] expected;
        float[] sourceParameters;
        try (TrainableNetwork source = sourceNetwork()) {
            writeTorchFixture(source, torch, true);
            expected = source.predict(inputs()).get("probs");
            sourceParameters = StepNetworks.parameters(source);
        }

        try (TrainableNetwork target = StepNetworks.build(String.format(NET, ""), work.resolve("java"))) {
            assertThat(target.predict(inputs()).get("probs")).isNotEqualTo(expected);
            LoadOptions.Builder options = LoadOptions.builder();
            TORCH_TO_DNNC.forEach(options::rename);
            LoadReport report = (LoadReport) target.getClass().getMethod("load", Path.class, LoadOptions.class)
                    .invoke(target, torch, options.build());
            assertThat(report.complete()).isTrue();
            assertThat(report.ignored()).containsExactly("features.1.num_batches_tracked");
            assertThat(report.converted()).containsExactly("feat.batchnorm1.running_var (F16)",
                    "feat.conv2d1.weight (F16)", "logits.dense1.weight (BF16)");
            assertThat(target.predict(inputs()).get("probs")).usingExactEquality().containsExactly(expected).inOrder();
        }

        String directive = "load_weights(\"" + torch + "\", map: \"" + MAP + "\");";
        try (TrainableNetwork target = StepNetworks.build(String.format(NET, directive), work.resolve("dnn"))) {
            assertThat(StepNetworks.parameters(target)).usingExactEquality().containsExactly(sourceParameters).inOrder();
            assertThat(target.predict(inputs()).get("probs")).usingExactEquality().containsExactly(expected).inOrder();
            assertThat(target.steps()).isEqualTo(0);
        }
    }

    @Test
    void loadsThatDoNotFitFailInBuildNamingTheTensors() throws Exception {
        Path body = work.resolve("body.safetensors");
        float[] bodyOnly;
        try (TrainableNetwork source = sourceNetwork()) {
            writeTorchFixture(source, body, false);
            bodyOnly = StepNetworks.parameters(source);
        }

        String strict = "load_weights(\"" + body + "\", map: \"" + MAP + "\");";
        assertThat(buildError(strict)).isEqualTo("cannot read the weights that load_weights names: " + body
                + ": does not fit network Tl:\n"
                + "  missing tensor `logits.dense1.bias` (F32 [3])\n"
                + "  missing tensor `logits.dense1.weight` (F32 [3, 144])\n"
                + "(map the file's names to the network's with renaming rules, `map:` in load_weights or"
                + " LoadOptions.rename in Java, or load what matches with strict false)");

        String typo = "load_weights(\"" + body + "\", strict: false, map: \"features.0.=feat.conv2d1., features.1.=feat.batchnorm.\");";
        assertThat(buildError(typo.replace("strict: false, ", ""))).contains(
                "  missing tensor `feat.batchnorm1.bias` (F32 [4]); did you mean `features.1.bias`?\n");

        Path none = work.resolve("none.safetensors");
        assertThat(buildError("load_weights(\"" + none + "\");"))
                .isEqualTo("cannot read the weights that load_weights names: " + none + ": no such file");

        // Not strict: the body loads, the head keeps its initial values, and what was left out is printed.
        String loose = "load_weights(\"" + body + "\", strict: false, map: \"" + MAP + "\");";
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        PrintStream original = System.err;
        float[] started;
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
        try (TrainableNetwork target = StepNetworks.build(String.format(NET, loose), work.resolve("loose"))) {
            started = StepNetworks.parameters(target);
        } finally {
            System.setErr(original);
        }
        int head = 3 * 144 + 3;
        assertThat(Arrays.copyOf(started, started.length - head)).usingExactEquality()
                .containsExactly(Arrays.copyOf(bodyOnly, bodyOnly.length - head)).inOrder();
        assertThat(err.toString(StandardCharsets.UTF_8)).isEqualTo("load_weights: " + body
                + ": loaded 6 of 8 parameters\n"
                + "  kept their values (not in the file): logits.dense1.bias, logits.dense1.weight\n"
                + "  ignored: features.1.num_batches_tracked\n"
                + "  converted to F32: feat.batchnorm1.running_var (F16), feat.conv2d1.weight (F16)\n");
    }

    @Test
    void aStrictJavaLoadNamesWhatDoesNotFitAndChangesNothing() throws Exception {
        Path torch = work.resolve("torch.safetensors");
        try (TrainableNetwork source = sourceNetwork()) {
            writeTorchFixture(source, torch, true);
        }
        try (TrainableNetwork target = StepNetworks.build(String.format(NET, ""), work.resolve("java"))) {
            float[] before = StepNetworks.parameters(target);
            LoadOptions typo = LoadOptions.builder().rename("features.0.", "feat.conv2d1.")
                    .rename("features.1.", "feat.batchnorm1.").rename("classifier.", "logits.dense.").build();
            InvocationTargetException e = assertThrows(InvocationTargetException.class,
                    () -> target.getClass().getMethod("load", Path.class, LoadOptions.class).invoke(target, torch, typo));
            assertThat(e.getCause()).isInstanceOf(CheckpointException.class);
            assertThat(e.getCause()).hasMessageThat().contains("  missing tensor `logits.dense1.weight` (F32 [3, 144]);"
                    + " did you mean `classifier.weight`?\n");
            assertThat(e.getCause()).hasMessageThat().contains("  unexpected tensor `classifier.weight` (BF16 [3, 144])"
                    + " renamed `logits.dense.weight`; did you mean `logits.dense1.weight`?\n");
            assertThat(StepNetworks.parameters(target)).usingExactEquality().containsExactly(before).inOrder();
        }
    }

    private String buildError(String directive) {
        Exception e = assertThrows(Exception.class,
                () -> StepNetworks.build(String.format(NET, directive), work.resolve("failing")));
        Throwable cause = e instanceof InvocationTargetException ? e.getCause() : e;
        assertThat(cause).isInstanceOf(UncheckedIOException.class);
        return cause.getMessage();
    }

    /** A network whose batch statistics and weights moved away from their initial values. */
    private TrainableNetwork sourceNetwork() throws Exception {
        TrainableNetwork source = StepNetworks.build(String.format(NET, ""), work.resolve("source"));
        float[] images = new float[4 * 36];
        for (int i = 0; i < images.length; i++) {
            images[i] = (float) Math.sin(0.7 * i) * 2 + 0.5f;
        }
        Inputs batch = Inputs.of("image", images).and("label", new int[] {0, 1, 2, 1});
        source.trainStep(batch, 4, 0.1);
        source.trainStep(batch, 4, 0.1);
        return source;
    }

    /**
     * Rounds {@code source}'s half-precision tensors to values F16 or BF16 hold exactly and loads
     * them back, then writes them under PyTorch's names in {@code file}, with the head or without.
     */
    private void writeTorchFixture(TrainableNetwork source, Path file, boolean withHead) throws Exception {
        Path saved = work.resolve("source.safetensors");
        source.getClass().getMethod("save", Path.class).invoke(source, saved);
        Checkpoint checkpoint = Safetensors.read(saved);
        Map<String, TensorData> rounded = new HashMap<>();
        Map<String, TensorData> torch = new HashMap<>();
        for (var entry : checkpoint.tensors().entrySet()) {
            String name = entry.getKey();
            float[] values = entry.getValue().floats();
            DType half = HALF.get(name);
            if (half != null) {
                for (int i = 0; i < values.length; i++) {
                    values[i] = half == DType.F16 ? roundToF16(values[i]) : Float.intBitsToFloat(
                            Float.floatToRawIntBits(values[i]) & 0xFFFF_0000);
                }
            }
            rounded.put(name, TensorData.f32(values, entry.getValue().shape()));
            String torchName = TORCH_TO_DNNC.entrySet().stream().filter(r -> name.startsWith(r.getValue()))
                    .map(r -> r.getKey() + name.substring(r.getValue().length())).findFirst().orElseThrow();
            if (withHead || !torchName.startsWith("classifier.")) {
                torch.put(torchName, half == null ? TensorData.f32(values, entry.getValue().shape())
                        : TensorData.of(half, entry.getValue().shape(), halfBytes(values, half)));
            }
        }
        assertThat(torch.keySet()).containsAtLeast("features.0.weight", "features.1.running_mean", "features.1.running_var");
        torch.put("features.1.num_batches_tracked", TensorData.of(DType.I64, new int[0],
                ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(0, 2)));
        Path roundedFile = work.resolve("rounded.safetensors");
        Safetensors.write(roundedFile, rounded, Map.of());
        source.getClass().getMethod("load", Path.class, LoadOptions.class).invoke(source, roundedFile, LoadOptions.weights());
        Safetensors.write(file, torch, Map.of("format", "pt"));
    }

    /** The nearest value with 11 significant bits that F16 holds (these weights are far from its range's ends). */
    private static float roundToF16(float v) {
        if (v == 0) {
            return v;
        }
        int exponent = Math.max(Math.getExponent(v), -14);
        return (float) Math.scalb((double) Math.round(Math.scalb((double) v, 10 - exponent)), exponent - 10);
    }

    /** IEEE binary16 or bfloat16 bits of values that the format holds exactly, little-endian. */
    private static ByteBuffer halfBytes(float[] values, DType half) {
        ByteBuffer bytes = ByteBuffer.allocate(2 * values.length).order(ByteOrder.LITTLE_ENDIAN);
        for (float v : values) {
            int bits = Float.floatToRawIntBits(v);
            if (half == DType.BF16) {
                bytes.putShort((short) (bits >>> 16));
                continue;
            }
            int sign = (bits >>> 16) & 0x8000;
            float magnitude = Math.abs(v);
            int exponent = Math.getExponent(magnitude);
            int encoded = magnitude == 0 ? 0 : exponent < -14 ? Math.round(magnitude * 0x1.0p24f)
                    : ((exponent + 15) << 10) | ((bits >>> 13) & 0x3FF);
            bytes.putShort((short) (sign | encoded));
        }
        return bytes.flip();
    }

    private static Inputs inputs() {
        float[] images = new float[3 * 36];
        for (int i = 0; i < images.length; i++) {
            images[i] = (float) Math.cos(0.3 * i) * 1.5f;
        }
        return Inputs.of("image", images);
    }
}
