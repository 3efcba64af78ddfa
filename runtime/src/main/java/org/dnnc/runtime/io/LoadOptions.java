package org.dnnc.runtime.io;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * How a generated class's {@code load(Path, LoadOptions)} matches a checkpoint's tensors with the
 * network's parameters. Immutable; start from {@link #builder()}, {@link #weights()} or {@link
 * #resume()}.
 *
 * <ul>
 *   <li><b>Strict</b> (the default): every parameter must be in the file and every tensor of the
 *       file must be a parameter; otherwise nothing is loaded and a {@link CheckpointException}
 *       names the missing, unexpected and mis-shaped tensors. Not strict: the matching tensors
 *       are loaded, the others are listed in the {@link LoadReport}, and parameters the file
 *       lacks keep their values. A tensor of the wrong shape is an error either way.
 *   <li><b>Renaming</b>: prefix rules map the file's names to the network's, for checkpoints
 *       written by PyTorch: {@code rename("features.0.", "logits.features1.conv2d1.")} loads
 *       {@code features.0.weight} into {@code logits.features1.conv2d1.weight}. The first rule
 *       whose prefix a name starts with applies; names no rule matches are used as they are.
 *       BatchNorm's {@code weight}, {@code bias}, {@code running_mean} and {@code running_var}
 *       are named as in PyTorch, so one rule per layer maps them all.
 *   <li><b>Ignored</b> tensors are skipped even when strict: PyTorch's {@code num_batches_tracked}
 *       (dnnc keeps no such counter), anything under a prefix given to {@link Builder#ignore}, and
 *       the training state of dnnc's own checkpoints when it is not restored.
 *   <li><b>Training state</b>: whether the step count, the completed epochs, the dropout generator
 *       and the optimizer's moments are restored too ({@link #resume()}), or only the parameters.
 * </ul>
 *
 * <p>F16, BF16 and F64 tensors are converted to F32 on load.
 */
public final class LoadOptions {
    /** The tensor PyTorch's BatchNorm keeps and dnnc does not: always skipped. */
    public static final String NUM_BATCHES_TRACKED = "num_batches_tracked";

    private static final LoadOptions WEIGHTS = builder().build();
    private static final LoadOptions RESUME = builder().trainingState(true).build();

    private final boolean strict;
    private final boolean trainingState;
    private final List<Rename> renames;
    private final List<String> ignored;

    private LoadOptions(Builder b) {
        this.strict = b.strict;
        this.trainingState = b.trainingState;
        this.renames = List.copyOf(b.renames);
        this.ignored = List.copyOf(b.ignored);
    }

    /** A rule of {@link Builder#rename}: names starting with {@code from} start with {@code to} instead. */
    public record Rename(String from, String to) {
        public Rename {
            if (from.isEmpty()) {
                throw new IllegalArgumentException("a renaming rule needs a prefix to match, got an empty one (to `"
                        + to + "`)");
            }
        }
    }

    /** Strict, names as they are, parameters only: transfer learning from a file of this network's names. */
    public static LoadOptions weights() {
        return WEIGHTS;
    }

    /**
     * Strict, names as they are, with the training state: the network continues as the one that
     * saved the file would have. What {@code load(Path)} does.
     */
    public static LoadOptions resume() {
        return RESUME;
    }

    /** Strict, no renaming, parameters only; change what differs. */
    public static Builder builder() {
        return new Builder();
    }

    public boolean strict() {
        return strict;
    }

    /** Whether the step count, epochs, dropout generator and optimizer state are restored too. */
    public boolean trainingState() {
        return trainingState;
    }

    public List<Rename> renames() {
        return renames;
    }

    /** Prefixes of tensors skipped on purpose, besides {@value #NUM_BATCHES_TRACKED}. */
    public List<String> ignored() {
        return ignored;
    }

    /** The network's name for the file's tensor {@code name}: the first matching rule's, or the name itself. */
    public String map(String name) {
        for (Rename r : renames) {
            if (name.startsWith(r.from())) {
                return r.to() + name.substring(r.from().length());
            }
        }
        return name;
    }

    /** Whether the file's tensor {@code name} is skipped on purpose. */
    public boolean ignores(String name) {
        if (name.equals(NUM_BATCHES_TRACKED) || name.endsWith("." + NUM_BATCHES_TRACKED)) {
            return true;
        }
        return ignored.stream().anyMatch(name::startsWith);
    }

    @Override
    public String toString() {
        return "LoadOptions[" + (strict ? "strict" : "not strict") + (trainingState ? ", with training state" : "")
                + (renames.isEmpty() ? "" : ", renames " + renames) + (ignored.isEmpty() ? "" : ", ignores " + ignored)
                + "]";
    }

    /** Collects {@link LoadOptions}. */
    public static final class Builder {
        private boolean strict = true;
        private boolean trainingState;
        private final List<Rename> renames = new ArrayList<>();
        private final List<String> ignored = new ArrayList<>();

        private Builder() {}

        /** Whether a parameter missing from the file or a tensor the network lacks is an error (default true). */
        public Builder strict(boolean strict) {
            this.strict = strict;
            return this;
        }

        /** Whether the training state is restored with the parameters (default false). */
        public Builder trainingState(boolean restore) {
            this.trainingState = restore;
            return this;
        }

        /**
         * Loads the file's tensors whose names start with {@code from} into the parameters named
         * with {@code to} in its place; rules apply in the order they are added, the first match wins.
         *
         * @throws IllegalArgumentException if {@code from} is empty
         */
        public Builder rename(String from, String to) {
            renames.add(new Rename(from, to));
            return this;
        }

        /**
         * Adds the renaming rules of a mapping file: one {@code from = to} prefix rule per line, as
         * for {@link #rename}; blank lines and lines starting with {@code #} are skipped.
         *
         * @throws IOException if the file cannot be read, or a line is not a rule (the message gives
         *     the file, the line number and the line)
         */
        public Builder mapping(Path file) throws IOException {
            List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
            for (int i = 0; i < lines.size(); i++) {
                String line = lines.get(i).strip();
                if (line.isEmpty() || line.startsWith("#")) {
                    continue;
                }
                Optional<Rename> rule = parseRule(line);
                if (rule.isEmpty()) {
                    throw new IOException(file + ":" + (i + 1) + ": expected a renaming rule `from = to`, found `"
                            + line + "`");
                }
                renames.add(rule.get());
            }
            return this;
        }

        /** Skips the file's tensors whose names start with {@code prefix} (before renaming), even when strict. */
        public Builder ignore(String prefix) {
            if (prefix.isEmpty()) {
                throw new IllegalArgumentException("an empty prefix would ignore every tensor");
            }
            ignored.add(prefix);
            return this;
        }

        public LoadOptions build() {
            return new LoadOptions(this);
        }

        /** {@code from = to} with a non-empty {@code from}; spaces around either side are dropped. */
        private static Optional<Rename> parseRule(String text) {
            int eq = text.indexOf('=');
            if (eq <= 0 || text.indexOf('=', eq + 1) >= 0) {
                return Optional.empty();
            }
            String from = text.substring(0, eq).strip();
            String to = text.substring(eq + 1).strip();
            return from.isEmpty() ? Optional.empty() : Optional.of(new Rename(from, to));
        }
    }
}
