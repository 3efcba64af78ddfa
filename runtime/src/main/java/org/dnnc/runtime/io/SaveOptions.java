package org.dnnc.runtime.io;

import java.util.Objects;
import java.util.Optional;
import org.dnnc.runtime.data.Standardization;

/**
 * What a generated class's {@code save(Path, SaveOptions)} writes besides the parameters and the
 * step count. Immutable; {@link #defaults()}, {@link #withTrainingState()} or {@link #builder()}.
 *
 * <ul>
 *   <li><b>Training state</b>: the optimizer's per-parameter state (Adam's moments, a momentum
 *       velocity, ...), the completed epochs and the dropout generator, so that a run resumed
 *       from the file with {@code load(Path)} continues exactly as the saving run would have.
 *   <li><b>Standardization</b>: the mean and deviation the inputs were standardized with, so
 *       that predictions from the file see inputs scaled as in training.
 *   <li><b>Force</b>: write NaN and infinite values too (refused by default).
 * </ul>
 *
 * <p>The file stays a plain safetensors file that PyTorch's {@code safetensors} reads: see {@link
 * TrainingState} for the names.
 */
public final class SaveOptions {
    private static final SaveOptions DEFAULTS = builder().build();
    private static final SaveOptions TRAINING_STATE = builder().trainingState(true).build();

    private final boolean trainingState;
    private final boolean force;
    private final Standardization standardization;

    private SaveOptions(Builder b) {
        this.trainingState = b.trainingState;
        this.force = b.force;
        this.standardization = b.standardization;
    }

    /** The parameters and the step count, NaN refused: what {@code save(Path)} writes. */
    public static SaveOptions defaults() {
        return DEFAULTS;
    }

    /** The parameters with the training state, to resume from. */
    public static SaveOptions withTrainingState() {
        return TRAINING_STATE;
    }

    public static Builder builder() {
        return new Builder();
    }

    public boolean trainingState() {
        return trainingState;
    }

    public boolean force() {
        return force;
    }

    public Optional<Standardization> standardization() {
        return Optional.ofNullable(standardization);
    }

    @Override
    public String toString() {
        return "SaveOptions[" + (trainingState ? "with training state" : "parameters") + (force ? ", forced" : "")
                + (standardization == null ? "" : ", " + standardization) + "]";
    }

    /** Collects {@link SaveOptions}; by default only the parameters, NaN refused. */
    public static final class Builder {
        private boolean trainingState;
        private boolean force;
        private Standardization standardization;

        private Builder() {}

        /** Whether the optimizer state, epochs and dropout generator are saved (default false). */
        public Builder trainingState(boolean save) {
            this.trainingState = save;
            return this;
        }

        /** Whether NaN and infinite values are written anyway, for a post-mortem (default false). */
        public Builder force(boolean force) {
            this.force = force;
            return this;
        }

        /** Saves the standardization the inputs were given, as tensors {@code standardization.mean} and {@code .std}. */
        public Builder standardization(Standardization standardization) {
            this.standardization = Objects.requireNonNull(standardization, "standardization");
            return this;
        }

        public SaveOptions build() {
            return new SaveOptions(this);
        }
    }
}
