package org.dnnc.runtime.io;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The tensors a loader expects in a checkpoint: names with their types and shapes. {@link
 * Safetensors#read(Path, CheckpointSpec)} compares the file's header with it before reading any
 * tensor data and reports every difference at once.
 *
 * @param tensors expected tensors by name
 * @param allowUnexpected whether tensors the spec does not name are ignored (for example optimizer
 *     state when only the weights are wanted) instead of rejected
 * @param requireFinite whether a NaN or infinite value in a floating-point tensor rejects the file,
 *     as left behind by a training run that diverged
 */
public record CheckpointSpec(Map<String, TensorInfo> tensors, boolean allowUnexpected, boolean requireFinite) {

    public CheckpointSpec {
        tensors = Collections.unmodifiableMap(new TreeMap<>(tensors));
    }

    /** A spec to fill in: no tensors, unexpected tensors rejected, non-finite values allowed. */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Compares the tensors a header announces with this spec.
     *
     * @throws CheckpointException listing every missing, unexpected or mismatched tensor
     */
    void check(Path file, Map<String, TensorInfo> found) throws CheckpointException {
        List<String> problems = new ArrayList<>();
        tensors.forEach((name, expected) -> {
            TensorInfo actual = found.get(name);
            if (actual == null) {
                problems.add("missing tensor `" + name + "` (" + expected + ")");
            } else if (!actual.equals(expected)) {
                problems.add("tensor `" + name + "`: expected " + expected + ", found " + actual);
            }
        });
        if (!allowUnexpected) {
            new TreeMap<>(found).forEach((name, actual) -> {
                if (!tensors.containsKey(name)) {
                    problems.add("unexpected tensor `" + name + "` (" + actual + ")");
                }
            });
        }
        if (!problems.isEmpty()) {
            throw new CheckpointException(file, "does not hold the expected tensors:\n  " + String.join("\n  ", problems));
        }
    }

    /**
     * Rejects NaN and infinite values when {@link #requireFinite} is set.
     *
     * @throws CheckpointException naming the first tensor and index with such a value
     */
    void checkFinite(Path file, Map<String, TensorData> loaded) throws CheckpointException {
        if (!requireFinite) {
            return;
        }
        for (var entry : new TreeMap<>(loaded).entrySet()) {
            int index = entry.getValue().firstNonFinite();
            if (index >= 0) {
                throw new CheckpointException(file, "tensor `" + entry.getKey() + "` holds "
                        + entry.getValue().valueAt(index) + " at index " + index + "; the run that wrote it probably diverged");
            }
        }
    }

    /** Collects the expected tensors of a {@link CheckpointSpec}. */
    public static final class Builder {
        private final Map<String, TensorInfo> tensors = new TreeMap<>();
        private boolean allowUnexpected;
        private boolean requireFinite;

        private Builder() {}

        /**
         * Expects a tensor {@code name} of this type and shape.
         *
         * @throws IllegalArgumentException if {@code name} was already added
         */
        public Builder tensor(String name, DType dtype, int... shape) {
            if (tensors.putIfAbsent(name, new TensorInfo(dtype, shape)) != null) {
                throw new IllegalArgumentException("tensor `" + name + "` is already in the spec");
            }
            return this;
        }

        /** Ignores tensors in the file that the spec does not name. */
        public Builder allowUnexpected() {
            allowUnexpected = true;
            return this;
        }

        /** Rejects NaN and infinite values in floating-point tensors. */
        public Builder requireFinite() {
            requireFinite = true;
            return this;
        }

        public CheckpointSpec build() {
            return new CheckpointSpec(tensors, allowUnexpected, requireFinite);
        }
    }
}
