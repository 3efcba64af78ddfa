package org.dnnc.runtime.io;

import java.nio.file.Path;
import java.util.Collections;
import java.util.Map;
import java.util.TreeMap;

/**
 * The tensors and the free-form string metadata of a checkpoint file, by name (sorted). The typed
 * getters check the type and shape the caller expects, so that a checkpoint of another network is
 * reported, with the file, instead of loaded into the wrong place.
 *
 * @param file where the checkpoint was read from, for messages
 */
public record Checkpoint(Path file, Map<String, TensorData> tensors, Map<String, String> metadata) {

    public Checkpoint {
        tensors = Collections.unmodifiableMap(new TreeMap<>(tensors));
        metadata = Collections.unmodifiableMap(new TreeMap<>(metadata));
    }

    /**
     * The tensor called {@code name}.
     *
     * @throws CheckpointException if there is none
     */
    public TensorData tensor(String name) throws CheckpointException {
        TensorData tensor = tensors.get(name);
        if (tensor == null) {
            throw new CheckpointException(file, "no tensor `" + name + "` (the checkpoint holds "
                    + tensors.size() + (tensors.size() == 1 ? " tensor" : " tensors") + ")");
        }
        return tensor;
    }

    /**
     * The values of the {@link DType#F32} tensor {@code name}, which must have exactly {@code shape}.
     *
     * @throws CheckpointException if it is missing or its type or shape differ
     */
    public float[] floats(String name, int... shape) throws CheckpointException {
        return expect(name, DType.F32, shape).floats();
    }

    /**
     * The values of the {@link DType#I32} tensor {@code name}, which must have exactly {@code shape}.
     *
     * @throws CheckpointException if it is missing or its type or shape differ
     */
    public int[] ints(String name, int... shape) throws CheckpointException {
        return expect(name, DType.I32, shape).ints();
    }

    /**
     * The non-negative integer stored as metadata {@code key} (a step or epoch counter), or 0 if
     * there is none. Loaders read it before they change anything, so that a bad value rejects the
     * whole checkpoint instead of leaving it half loaded.
     *
     * @throws CheckpointException if the value is not a decimal integer from 0 to {@link Long#MAX_VALUE}
     */
    public long metadataCount(String key) throws CheckpointException {
        String text = metadata.get(key);
        if (text == null) {
            return 0;
        }
        try {
            if (text.chars().allMatch(c -> c >= '0' && c <= '9')) {
                return Long.parseLong(text);
            }
        } catch (NumberFormatException tooLarge) {
            // More than a long holds: reported below, with the value.
        }
        throw new CheckpointException(file, "metadata `" + key + "` must be a non-negative integer, found "
                + Json.quote(text));
    }

    private TensorData expect(String name, DType dtype, int[] shape) throws CheckpointException {
        TensorData tensor = tensor(name);
        TensorInfo expected = new TensorInfo(dtype, shape);
        if (!tensor.info().equals(expected)) {
            throw new CheckpointException(file, "tensor `" + name + "`: expected " + expected + ", found " + tensor.info());
        }
        return tensor;
    }

    @Override
    public String toString() {
        return "Checkpoint[" + file + ": " + tensors.keySet() + ", metadata " + metadata.keySet() + "]";
    }
}
