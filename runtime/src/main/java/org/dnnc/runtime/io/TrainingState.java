package org.dnnc.runtime.io;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.Consumer;
import org.dnnc.runtime.data.Standardization;

/**
 * The training state a checkpoint carries next to the parameters when saved with {@link
 * SaveOptions#withTrainingState()}, in names and types that PyTorch's {@code safetensors} reads:
 *
 * <ul>
 *   <li>tensors {@code optimizer.<optimizer>.<slot>.<parameter>}, F32, of the parameter's shape:
 *       the optimizer's state per parameter ({@code optimizer.adam.m.dense1.weight}, {@code
 *       optimizer.adam.v.dense1.weight}, {@code optimizer.momentum.velocity.dense1.weight}, ...);
 *   <li>metadata {@code optimizer} (its name), {@code steps} (optimizer steps, which also place
 *       the learning-rate schedule), {@code epochs} (completed epochs, which place the shuffled
 *       data order and the augmentation draws) and {@code dropout_rng} (the dropout generator's
 *       state, an unsigned 64-bit decimal).
 * </ul>
 *
 * <p>Independently of it, tensors {@code standardization.mean} and {@code standardization.std}
 * (F32, one value or one per feature) hold the input standardization when one was saved.
 *
 * <p>{@link #read} checks the whole state (optimizer name, every tensor's presence, shape and
 * finiteness, the counters) before a generated class changes anything.
 */
public final class TrainingState {
    /** Where the optimizer's tensors are named. */
    public static final String OPTIMIZER_PREFIX = "optimizer.";
    /** Where the input standardization's tensors are named. */
    public static final String STANDARDIZATION_PREFIX = "standardization.";
    /** Metadata keys. */
    public static final String OPTIMIZER = "optimizer";
    public static final String STEPS = "steps";
    public static final String EPOCHS = "epochs";
    public static final String DROPOUT_RNG = "dropout_rng";

    private static final String MEAN = STANDARDIZATION_PREFIX + "mean";
    private static final String STD = STANDARDIZATION_PREFIX + "std";

    private final Map<String, float[]> tensors;
    private final long epochs;
    private final long dropoutRng;

    private TrainingState(Map<String, float[]> tensors, long epochs, long dropoutRng) {
        this.tensors = tensors;
        this.epochs = epochs;
        this.dropoutRng = dropoutRng;
    }

    /** The name of {@code slot}'s state of {@code parameter}: {@code optimizer.adam.m.dense1.weight}. */
    public static String tensorName(String optimizer, String slot, String parameter) {
        return OPTIMIZER_PREFIX + optimizer + "." + slot + "." + parameter;
    }

    /**
     * The training state of {@code checkpoint}, or empty if it was saved without one.
     *
     * @param optimizer the network's optimizer, which must be the one that wrote the state
     * @param expected the network's state tensors by {@link #tensorName}, all F32
     * @throws CheckpointException if the state is of another optimizer or network, incomplete,
     *     mis-shaped, not finite, or its counters are not counts
     */
    public static Optional<TrainingState> read(Checkpoint checkpoint, String optimizer, Map<String, TensorInfo> expected)
            throws CheckpointException {
        String saved = checkpoint.metadata().get(OPTIMIZER);
        List<String> stateTensors = checkpoint.tensors().keySet().stream().filter(n -> n.startsWith(OPTIMIZER_PREFIX))
                .toList();
        if (saved == null) {
            if (!stateTensors.isEmpty()) {
                throw new CheckpointException(checkpoint.file(), "holds optimizer tensors (`" + stateTensors.get(0)
                        + "`, ...) but no `" + OPTIMIZER + "` metadata: the training state is incomplete");
            }
            return Optional.empty();
        }
        if (!saved.equals(optimizer)) {
            throw new CheckpointException(checkpoint.file(), "holds the training state of optimizer " + Json.quote(saved)
                    + ", but the network trains with " + Json.quote(optimizer)
                    + "; load its parameters only (LoadOptions.weights())");
        }
        List<String> problems = new ArrayList<>();
        Map<String, float[]> values = new LinkedHashMap<>();
        for (var entry : new TreeMap<>(expected).entrySet()) {
            TensorData tensor = checkpoint.tensors().get(entry.getKey());
            if (tensor == null) {
                problems.add("missing tensor `" + entry.getKey() + "` (" + entry.getValue() + ")");
            } else if (!tensor.info().equals(entry.getValue())) {
                problems.add("tensor `" + entry.getKey() + "`: expected " + entry.getValue() + ", found " + tensor.info());
            } else {
                int bad = tensor.firstNonFinite();
                if (bad >= 0) {
                    problems.add("tensor `" + entry.getKey() + "` holds " + tensor.valueAt(bad) + " at index " + bad);
                } else {
                    values.put(entry.getKey(), tensor.floats());
                }
            }
        }
        for (String name : stateTensors) {
            if (!expected.containsKey(name)) {
                problems.add("unexpected tensor `" + name + "` (" + checkpoint.tensors().get(name).info()
                        + "): the network has no such optimizer state");
            }
        }
        if (!problems.isEmpty()) {
            throw new CheckpointException(checkpoint.file(), "holds a training state that does not fit the network:\n  "
                    + String.join("\n  ", problems));
        }
        long epochs = checkpoint.metadataCount(EPOCHS);
        String rng = checkpoint.metadata().get(DROPOUT_RNG);
        long state;
        try {
            state = Long.parseUnsignedLong(rng == null ? "" : rng);
        } catch (NumberFormatException e) {
            throw new CheckpointException(checkpoint.file(), "metadata `" + DROPOUT_RNG
                    + "` must be an unsigned 64-bit integer, found " + (rng == null ? "none" : Json.quote(rng)));
        }
        return Optional.of(new TrainingState(values, epochs, state));
    }

    /** The metadata that marks a training state, next to {@code steps}. */
    public static Map<String, String> metadata(String optimizer, long epochs, long dropoutRng) {
        return Map.of(OPTIMIZER, optimizer, EPOCHS, Long.toString(epochs), DROPOUT_RNG, Long.toUnsignedString(dropoutRng));
    }

    /** Completed epochs when the state was saved. */
    public long epochs() {
        return epochs;
    }

    /** The dropout generator's state when the state was saved. */
    public long dropoutRng() {
        return dropoutRng;
    }

    /** Hands the values of state tensor {@code name} to {@code into}. */
    public void copy(String name, Consumer<float[]> into) {
        float[] v = tensors.get(name);
        if (v == null) {
            throw new IllegalArgumentException("no optimizer state `" + name + "` was read");
        }
        into.accept(v);
    }

    /** Adds {@code standardization.mean} and {@code standardization.std} to {@code tensors}. */
    public static void putStandardization(Map<String, TensorData> tensors, Standardization standardization) {
        float[] mean = standardization.mean();
        tensors.put(MEAN, TensorData.f32(mean, mean.length));
        tensors.put(STD, TensorData.f32(standardization.std(), mean.length));
    }

    /**
     * The input standardization saved in {@code checkpoint}, if any.
     *
     * @throws CheckpointException if only one of its tensors is there, or they do not make one
     */
    public static Optional<Standardization> standardization(Checkpoint checkpoint) throws CheckpointException {
        TensorData mean = checkpoint.tensors().get(MEAN);
        TensorData std = checkpoint.tensors().get(STD);
        if (mean == null && std == null) {
            return Optional.empty();
        }
        if (mean == null || std == null || mean.dtype() != DType.F32 || !mean.info().equals(std.info())
                || mean.shape().length != 1) {
            throw new CheckpointException(checkpoint.file(), "`" + MEAN + "` and `" + STD
                    + "` must both be F32 vectors of one length, found " + (mean == null ? "none" : mean.info()) + " and "
                    + (std == null ? "none" : std.info()));
        }
        try {
            return Optional.of(new Standardization(mean.floats(), std.floats()));
        } catch (IllegalArgumentException e) {
            throw new CheckpointException(checkpoint.file(), "the saved standardization is invalid: " + e.getMessage()
                    + " (" + Arrays.toString(mean.shape()) + ")");
        }
    }
}
