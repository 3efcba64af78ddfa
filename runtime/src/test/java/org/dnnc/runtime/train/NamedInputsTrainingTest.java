package org.dnnc.runtime.train;

import static com.google.common.truth.Truth.assertThat;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.dnnc.runtime.Inputs;
import org.dnnc.runtime.TensorSpec;
import org.dnnc.runtime.data.Dataset;
import org.junit.jupiter.api.Test;

/** The trainer feeds each input and target of a network from the data set's column of that name. */
class NamedInputsTrainingTest {

    /** Two inputs (a float image, an int class id) and an int label; records the class ids and labels of each step. */
    private static final class TwoInputs implements FakeNetwork {
        final List<int[]> ids = new ArrayList<>();
        final List<int[]> labels = new ArrayList<>();
        private long steps;

        @Override
        public String name() {
            return "TwoInputs";
        }

        @Override
        public int maxBatch() {
            return 2;
        }

        @Override
        public List<TensorSpec> inputs() {
            return List.of(TensorSpec.floats("image", 2), TensorSpec.ints("class_id"));
        }

        @Override
        public List<TensorSpec> targets() {
            return List.of(TensorSpec.ints("label"));
        }

        @Override
        public TargetKind targetKind() {
            return TargetKind.LABELS;
        }

        @Override
        public boolean hasAccuracy() {
            return true;
        }

        @Override
        public StepResult trainStep(Inputs batch, int count, double learningRate) {
            ids.add(Arrays.copyOf(batch.ints("class_id"), count));
            labels.add(Arrays.copyOf(batch.ints("label"), count));
            steps++;
            return new StepResult(count, 0);
        }

        @Override
        public StepResult evaluateStep(Inputs batch, int count) {
            return new StepResult(count, 0);
        }

        @Override
        public long steps() {
            return steps;
        }
    }

    @Test
    void eachInputReadsTheColumnOfItsName() {
        // The columns come in another order than the inputs, and the features column is named otherwise.
        Dataset data = Dataset.builder()
                .labels("label", new int[] {1, 0, 1})
                .ints("class_id", new int[] {7, 8, 9})
                .features("pixels", new float[6], 2)
                .build();
        TwoInputs net = new TwoInputs();
        Trainer.builder().learningRate(0.1).epochs(1).shuffle(false).build().fit(net, data);
        assertThat(net.ids.get(0)).isEqualTo(new int[] {7, 8});
        assertThat(net.ids.get(1)).isEqualTo(new int[] {9});
        assertThat(net.labels.get(0)).isEqualTo(new int[] {1, 0});
    }

    @Test
    void anInputWithoutAColumnIsNamedWithTheColumnsThereAre() {
        Dataset data = Dataset.builder().features("image", new float[4], 2).labels("label", new int[2]).build();
        var e = assertThrows(IllegalArgumentException.class,
                () -> Trainer.builder().learningRate(0.1).build().fit(new TwoInputs(), data));
        assertThat(e).hasMessageThat().isEqualTo("the training data has no column for network TwoInputs's input"
                + " class_id: int; its columns are image: float[2], label: int");
    }

    @Test
    void aColumnOfTheWrongTypeIsRefused() {
        Dataset data = Dataset.builder().features("image", new float[4], 2).floats("class_id", new float[2])
                .labels("label", new int[2]).build();
        var e = assertThrows(IllegalArgumentException.class,
                () -> Trainer.builder().learningRate(0.1).build().evaluate(new TwoInputs(), data));
        assertThat(e).hasMessageThat().isEqualTo("the evaluation data's column class_id: float does not fit network"
                + " TwoInputs's input class_id: int");
    }
}
