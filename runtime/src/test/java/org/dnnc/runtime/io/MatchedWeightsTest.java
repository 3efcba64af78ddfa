package org.dnnc.runtime.io;

import static com.google.common.truth.Truth.assertThat;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Matching a checkpoint's tensors with a network's parameters: renaming, strictness, conversions, errors. */
class MatchedWeightsTest {
    private static final Path FILE = Path.of("torch.safetensors");
    /** A conv layer with batch norm and a dense head, in dnnc's names. */
    private static final Map<String, TensorInfo> NETWORK = new LinkedHashMap<>();

    static {
        NETWORK.put("feat.conv2d1.weight", f32(2, 1, 3, 3));
        NETWORK.put("feat.batchnorm1.weight", f32(2));
        NETWORK.put("feat.batchnorm1.running_mean", f32(2));
        NETWORK.put("logits.dense1.weight", f32(3, 2));
    }

    @TempDir
    Path dir;

    @Test
    void pytorchNamesLoadThroughPrefixRulesWithHalfTensorsWidenedAndBatchCountersSkipped() throws Exception {
        Map<String, TensorData> file = new HashMap<>();
        file.put("features.0.weight", TensorData.f32(new float[18], 2, 1, 3, 3));
        file.put("features.1.weight", HalfPrecisionTest.tensor(DType.F16, new short[] {0x3C00, (short) 0xC000}));
        file.put("features.1.running_mean", HalfPrecisionTest.tensor(DType.BF16, new short[] {0x3F80, 0x4049}));
        file.put("features.1.num_batches_tracked", TensorData.of(DType.I64, new int[0],
                java.nio.ByteBuffer.allocate(8)));
        file.put("classifier.weight", TensorData.f32(new float[] {1, 2, 3, 4, 5, 6}, 3, 2));
        LoadOptions options = LoadOptions.builder().rename("features.0.", "feat.conv2d1.")
                .rename("features.1.", "feat.batchnorm1.").rename("classifier.", "logits.dense1.").build();

        MatchedWeights weights = MatchedWeights.match(new Checkpoint(FILE, file, Map.of()), NETWORK, options, "Net");

        assertThat(values(weights, "feat.batchnorm1.weight")).usingExactEquality().containsExactly(1f, -2f).inOrder();
        assertThat(values(weights, "feat.batchnorm1.running_mean")).usingExactEquality()
                .containsExactly(1f, 3.140625f).inOrder();
        assertThat(values(weights, "logits.dense1.weight")).usingExactEquality()
                .containsExactly(1f, 2f, 3f, 4f, 5f, 6f).inOrder();
        LoadReport report = weights.report();
        assertThat(report.complete()).isTrue();
        assertThat(report.loaded()).containsExactlyElementsIn(NETWORK.keySet());
        assertThat(report.ignored()).containsExactly("features.1.num_batches_tracked");
        assertThat(report.converted()).containsExactly("feat.batchnorm1.running_mean (BF16)",
                "feat.batchnorm1.weight (F16)");
    }

    @Test
    void aStrictLoadNamesMissingAndUnexpectedTensorsWithTheClosestName() {
        Map<String, TensorData> file = new HashMap<>();
        file.put("feat.conv2d1.weight", TensorData.f32(new float[18], 2, 1, 3, 3));
        file.put("feat.batchnorm1.wieght", TensorData.f32(new float[2], 2));
        file.put("feat.batchnorm1.running_mean", TensorData.f32(new float[2], 2));
        file.put("head.weight", TensorData.f32(new float[6], 3, 2));

        CheckpointException e = assertThrows(CheckpointException.class,
                () -> MatchedWeights.match(new Checkpoint(FILE, file, Map.of()), NETWORK, LoadOptions.weights(), "Net"));

        assertThat(e).hasMessageThat().isEqualTo(FILE + ": does not fit network Net:\n"
                + "  missing tensor `feat.batchnorm1.weight` (F32 [2]); did you mean `feat.batchnorm1.wieght`?\n"
                + "  missing tensor `logits.dense1.weight` (F32 [3, 2])\n"
                + "  unexpected tensor `feat.batchnorm1.wieght` (F32 [2]); did you mean `feat.batchnorm1.weight`?\n"
                + "  unexpected tensor `head.weight` (F32 [3, 2])\n"
                + "(map the file's names to the network's with renaming rules, `map:` in load_weights or"
                + " LoadOptions.rename in Java, or load what matches with strict false)");
    }

    @Test
    void aLooseLoadTakesWhatMatchesAndReportsTheRest() throws Exception {
        Map<String, TensorData> file = new HashMap<>();
        file.put("feat.conv2d1.weight", TensorData.f32(new float[18], 2, 1, 3, 3));
        file.put("feat.batchnorm1.weight", TensorData.f32(new float[] {7, 8}, 2));
        file.put("old_head.weight", TensorData.f32(new float[4], 2, 2));

        MatchedWeights weights = MatchedWeights.match(new Checkpoint(FILE, file, Map.of()), NETWORK,
                LoadOptions.builder().strict(false).build(), "Net");

        assertThat(values(weights, "feat.batchnorm1.weight")).usingExactEquality().containsExactly(7f, 8f).inOrder();
        assertThat(values(weights, "logits.dense1.weight")).isNull();
        LoadReport report = weights.report();
        assertThat(report.complete()).isFalse();
        assertThat(report.missing()).containsExactly("feat.batchnorm1.running_mean", "logits.dense1.weight").inOrder();
        assertThat(report.unexpected()).containsExactly("old_head.weight");
        assertThat(report.toString()).isEqualTo(FILE + ": loaded 2 of 4 parameters\n"
                + "  kept their values (not in the file): feat.batchnorm1.running_mean, logits.dense1.weight\n"
                + "  not loaded (no such parameter): old_head.weight");
    }

    @Test
    void wrongShapesTypesValuesAndCollisionsAreErrorsEvenWhenNotStrict() {
        Map<String, TensorData> file = new HashMap<>();
        file.put("feat.conv2d1.weight", TensorData.f32(new float[18], 2, 9));
        file.put("feat.batchnorm1.weight", TensorData.i32(new int[2], 2));
        file.put("feat.batchnorm1.running_mean", TensorData.f32(new float[] {0, Float.NaN}, 2));
        file.put("logits.dense1.weight", TensorData.f32(new float[6], 2, 3));
        file.put("head.weight", TensorData.f32(new float[6], 3, 2));
        LoadOptions options = LoadOptions.builder().strict(false).rename("head.", "logits.dense1.").build();

        CheckpointException e = assertThrows(CheckpointException.class,
                () -> MatchedWeights.match(new Checkpoint(FILE, file, Map.of()), NETWORK, options, "Net"));

        assertThat(e).hasMessageThat().isEqualTo(FILE + ": does not fit network Net:\n"
                + "  tensor `feat.batchnorm1.running_mean` holds NaN at index 1; the run that wrote it probably diverged\n"
                + "  tensor `feat.batchnorm1.weight`: expected F32 [2], found I32 [2] (integers)\n"
                + "  tensor `feat.conv2d1.weight`: expected shape [2, 1, 3, 3], found [2, 9]\n"
                + "  tensor `logits.dense1.weight`: `head.weight` is loaded into `logits.dense1.weight` already;"
                + " check the renaming rules");
    }

    @Test
    void theFirstMatchingRuleRenamesAndMappingFilesHoldRules() throws IOException {
        Path mapping = dir.resolve("map.txt");
        Files.writeString(mapping, "# torchvision to dnnc\n\nfeatures.0. = feat.conv2d1.\nfeatures. = feat.\n");
        LoadOptions options = LoadOptions.builder().mapping(mapping).ignore("aux.").build();
        assertThat(options.renames()).containsExactly(new LoadOptions.Rename("features.0.", "feat.conv2d1."),
                new LoadOptions.Rename("features.", "feat.")).inOrder();
        assertThat(options.map("features.0.weight")).isEqualTo("feat.conv2d1.weight");
        assertThat(options.map("features.1.bias")).isEqualTo("feat.1.bias");
        assertThat(options.map("classifier.bias")).isEqualTo("classifier.bias");
        assertThat(options.ignores("aux.logits.weight")).isTrue();
        assertThat(options.ignores("bn.num_batches_tracked")).isTrue();
        assertThat(options.ignores("bn.running_mean")).isFalse();

        Files.writeString(mapping, "features.0. = a.\nfeatures.1. a.\n");
        IOException e = assertThrows(IOException.class, () -> LoadOptions.builder().mapping(mapping));
        assertThat(e).hasMessageThat().isEqualTo(mapping + ":2: expected a renaming rule `from = to`, found `features.1. a.`");
        assertThrows(IllegalArgumentException.class, () -> LoadOptions.builder().rename("", "x."));
    }

    @Test
    void suggestionsNeedACloseName() {
        assertThat(NameSuggestions.closest("dense1.weight", List.of("dense1.wieght", "dense2.bias")))
                .hasValue("dense1.wieght");
        assertThat(NameSuggestions.closest("classifier.weight", List.of("logits.dense1.weight"))).isEmpty();
    }

    private static float[] values(MatchedWeights weights, String name) {
        float[][] out = new float[1][];
        weights.copy(name, v -> out[0] = v);
        return out[0];
    }

    private static TensorInfo f32(int... shape) {
        return new TensorInfo(DType.F32, shape);
    }
}
