package org.dnnc.runtime.io;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.dnnc.runtime.data.Standardization;

/**
 * What a load took from a checkpoint and what it left, as {@code load(Path, LoadOptions)} returns
 * it. A strict load that returns has loaded every parameter and found no unexpected tensor; a load
 * that is not strict lists here what did not match, so that a renaming rule that matched nothing
 * does not go unnoticed.
 *
 * @param file the checkpoint
 * @param loaded the network's parameters that were loaded, by the network's names
 * @param missing the network's parameters the file does not hold; they kept their values
 * @param unexpected the file's tensors that match no parameter (by the file's names); not loaded
 * @param ignored the file's tensors skipped on purpose: {@code num_batches_tracked}, prefixes
 *     given to {@link LoadOptions.Builder#ignore}, training state that was not restored
 * @param converted the parameters that were stored as F16, BF16 or F64 and converted to F32,
 *     each followed by its stored type ({@code conv.weight (F16)})
 * @param trainingState whether the step count, epochs, dropout generator and optimizer state
 *     were restored from the file (false when not asked for, or when the file holds none)
 * @param standardization the input standardization saved with the weights ({@code
 *     SaveOptions.Builder#standardization}), to apply to new inputs as training did
 */
public record LoadReport(Path file, List<String> loaded, List<String> missing, List<String> unexpected,
        List<String> ignored, List<String> converted, boolean trainingState,
        Optional<Standardization> standardization) {

    public LoadReport {
        loaded = List.copyOf(loaded);
        missing = List.copyOf(missing);
        unexpected = List.copyOf(unexpected);
        ignored = List.copyOf(ignored);
        converted = List.copyOf(converted);
    }

    /** Whether every parameter was loaded and every tensor of the file was used or ignored on purpose. */
    public boolean complete() {
        return missing.isEmpty() && unexpected.isEmpty();
    }

    /**
     * The same report, saying whether the training state was restored (then its tensors are no
     * longer listed as ignored) and with the file's standardization.
     */
    public LoadReport withTrainingState(boolean restored, Optional<Standardization> saved) {
        List<String> skipped = restored ? ignored.stream()
                .filter(n -> !n.startsWith(TrainingState.OPTIMIZER_PREFIX) && !n.startsWith(TrainingState.STANDARDIZATION_PREFIX))
                .toList() : ignored;
        return new LoadReport(file, loaded, missing, unexpected, skipped, converted, restored, saved);
    }

    /** One line per kind of tensor, as printed when {@code load_weights(..., strict: false)} leaves some out. */
    @Override
    public String toString() {
        List<String> lines = new ArrayList<>();
        lines.add(file + ": loaded " + loaded.size() + " of " + (loaded.size() + missing.size()) + " parameters"
                + (trainingState ? " and the training state" : ""));
        add(lines, "kept their values (not in the file)", missing);
        add(lines, "not loaded (no such parameter)", unexpected);
        add(lines, "ignored", ignored);
        add(lines, "converted to F32", converted);
        standardization.ifPresent(s -> lines.add("  input standardization: " + s));
        return String.join("\n", lines);
    }

    private static void add(List<String> lines, String what, List<String> names) {
        if (!names.isEmpty()) {
            lines.add("  " + what + ": " + String.join(", ", names));
        }
    }
}
