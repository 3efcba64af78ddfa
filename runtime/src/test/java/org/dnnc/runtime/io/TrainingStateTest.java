package org.dnnc.runtime.io;

import static com.google.common.truth.Truth.assertThat;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.dnnc.runtime.data.Standardization;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The training state is read whole and checked against the network before anything trusts it. */
class TrainingStateTest {
    private static final Path FILE = Path.of("run.safetensors");
    private static final String M = TrainingState.tensorName("adam", "m", "dense1.weight");
    private static final String V = TrainingState.tensorName("adam", "v", "dense1.weight");
    private static final Map<String, TensorInfo> EXPECTED = Map.of(M, new TensorInfo(DType.F32, new int[] {2}),
            V, new TensorInfo(DType.F32, new int[] {2}));

    @TempDir
    Path dir;

    @Test
    void aSavedStateIsReadBack() throws Exception {
        Map<String, String> metadata = new HashMap<>(TrainingState.metadata("adam", 3, -5L));
        metadata.put(TrainingState.STEPS, "12");
        Map<String, TensorData> tensors = new HashMap<>(Map.of(M, TensorData.f32(new float[] {1, 2}, 2),
                V, TensorData.f32(new float[] {3, 4}, 2)));
        TrainingState.putStandardization(tensors, new Standardization(new float[] {0.5f}, new float[] {2f}));
        Path file = dir.resolve("state.safetensors");
        Safetensors.write(file, tensors, metadata);

        Checkpoint checkpoint = Safetensors.read(file);
        TrainingState state = TrainingState.read(checkpoint, "adam", EXPECTED).orElseThrow();
        assertThat(M).isEqualTo("optimizer.adam.m.dense1.weight");
        assertThat(state.epochs()).isEqualTo(3);
        assertThat(state.dropoutRng()).isEqualTo(-5L);
        assertThat(checkpoint.metadata()).containsEntry(TrainingState.DROPOUT_RNG, "18446744073709551611");
        float[][] v = new float[1][];
        state.copy(V, x -> v[0] = x);
        assertThat(v[0]).usingExactEquality().containsExactly(3f, 4f).inOrder();
        assertThat(TrainingState.standardization(checkpoint))
                .hasValue(new Standardization(new float[] {0.5f}, new float[] {2f}));
    }

    @Test
    void aFileWithoutStateHasNone() throws CheckpointException {
        Checkpoint weightsOnly = new Checkpoint(FILE, Map.of("dense1.weight", TensorData.f32(new float[2], 2)),
                Map.of(TrainingState.STEPS, "4"));
        assertThat(TrainingState.read(weightsOnly, "adam", EXPECTED)).isEmpty();
        assertThat(TrainingState.standardization(weightsOnly)).isEmpty();
    }

    @Test
    void aStateThatDoesNotFitIsRejected() {
        Map<String, String> adam = TrainingState.metadata("adam", 1, 7);
        Map<String, TensorData> both = Map.of(M, TensorData.f32(new float[2], 2), V, TensorData.f32(new float[2], 2));

        assertThat(error(new Checkpoint(FILE, both, TrainingState.metadata("momentum", 1, 7)))).isEqualTo(FILE
                + ": holds the training state of optimizer \"momentum\", but the network trains with \"adam\";"
                + " load its parameters only (LoadOptions.weights())");
        assertThat(error(new Checkpoint(FILE, Map.of(M, TensorData.f32(new float[3], 3),
                "optimizer.adam.m.head.weight", TensorData.f32(new float[1], 1)), adam))).isEqualTo(FILE
                + ": holds a training state that does not fit the network:\n"
                + "  tensor `optimizer.adam.m.dense1.weight`: expected F32 [2], found F32 [3]\n"
                + "  missing tensor `optimizer.adam.v.dense1.weight` (F32 [2])\n"
                + "  unexpected tensor `optimizer.adam.m.head.weight` (F32 [1]): the network has no such optimizer state");
        assertThat(error(new Checkpoint(FILE, both, Map.of()))).isEqualTo(FILE
                + ": holds optimizer tensors (`optimizer.adam.m.dense1.weight`, ...) but no `optimizer` metadata:"
                + " the training state is incomplete");
        Map<String, String> badRng = new HashMap<>(adam);
        badRng.put(TrainingState.DROPOUT_RNG, "-1");
        assertThat(error(new Checkpoint(FILE, both, badRng))).isEqualTo(FILE
                + ": metadata `dropout_rng` must be an unsigned 64-bit integer, found \"-1\"");
        Map<String, TensorData> nan = Map.of(M, TensorData.f32(new float[] {0, Float.POSITIVE_INFINITY}, 2),
                V, TensorData.f32(new float[2], 2));
        assertThat(error(new Checkpoint(FILE, nan, adam))).isEqualTo(FILE
                + ": holds a training state that does not fit the network:\n"
                + "  tensor `optimizer.adam.m.dense1.weight` holds Infinity at index 1");
    }

    @Test
    void aHalfStandardizationIsRejected() {
        Checkpoint meanOnly = new Checkpoint(FILE, Map.of("standardization.mean", TensorData.f32(new float[1], 1)),
                Map.of());
        assertThat(assertThrows(CheckpointException.class, () -> TrainingState.standardization(meanOnly)))
                .hasMessageThat().isEqualTo(FILE + ": `standardization.mean` and `standardization.std` must both be"
                        + " F32 vectors of one length, found F32 [1] and none");
    }

    private static String error(Checkpoint checkpoint) {
        return assertThrows(CheckpointException.class, () -> TrainingState.read(checkpoint, "adam", EXPECTED))
                .getMessage();
    }
}
