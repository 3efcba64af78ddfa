package org.dnnc.runtime.train;

import static com.google.common.truth.Truth.assertThat;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.dnnc.runtime.Inputs;
import org.dnnc.runtime.TensorSpec;
import org.dnnc.runtime.data.Augmentation;
import org.dnnc.runtime.data.Dataset;
import org.junit.jupiter.api.Test;

/** The trainer augments each training batch's features, and nothing else. */
class AugmentedTrainingTest {

    /** A denoising network (noisy input, clean target) that records what its steps receive. */
    private static final class Recorder implements FakeNetwork {
        final List<float[]> trainInputs = new ArrayList<>();
        final List<float[]> trainTargets = new ArrayList<>();
        final List<float[]> evalInputs = new ArrayList<>();
        private final int[] shape;
        private long steps;
        private long epochs;

        Recorder(int... shape) {
            this.shape = shape;
        }

        @Override
        public String name() {
            return "Recorder";
        }

        @Override
        public int maxBatch() {
            return 4;
        }

        @Override
        public List<TensorSpec> inputs() {
            return List.of(TensorSpec.floats("noisy", shape));
        }

        @Override
        public TargetKind targetKind() {
            return TargetKind.TARGETS;
        }

        @Override
        public List<TensorSpec> targets() {
            return List.of(TensorSpec.floats("clean", shape));
        }

        @Override
        public boolean hasAccuracy() {
            return false;
        }

        @Override
        public StepResult trainStep(Inputs batch, int count, double learningRate) {
            trainInputs.add(Arrays.copyOf(batch.floats("noisy"), count * 4));
            trainTargets.add(Arrays.copyOf(batch.floats("clean"), count * 4));
            steps++;
            return new StepResult(0, 0);
        }

        @Override
        public StepResult evaluateStep(Inputs batch, int count) {
            evalInputs.add(Arrays.copyOf(batch.floats("noisy"), count * 4));
            return new StepResult(0, 0);
        }

        @Override
        public long steps() {
            return steps;
        }

        @Override
        public long epochs() {
            return epochs;
        }

        @Override
        public void epochCompleted() {
            epochs++;
        }
    }

    private static Dataset images(int count) {
        float[] x = new float[count * 4];
        for (int i = 0; i < x.length; i++) {
            x[i] = i;
        }
        return Dataset.builder().features("noisy", x, 1, 2, 2).targets("clean", x, 1, 2, 2).build();
    }

    @Test
    void noiseReachesTheInputsButNotTheTargetsNorValidation() {
        Recorder net = new Recorder(1, 2, 2);
        Trainer.builder().learningRate(0.1).epochs(1).shuffle(false).validation(images(4)).augment(new Augmentation.Noise(0.5)).build()
                .fit(net, images(8));
        assertThat(net.trainInputs).hasSize(2);
        for (int b = 0; b < 2; b++) {
            float[] expected = new float[16];
            for (int i = 0; i < 16; i++) {
                expected[i] = b * 16 + i;
            }
            assertThat(net.trainTargets.get(b)).isEqualTo(expected);
            assertThat(net.trainInputs.get(b)).isNotEqualTo(expected);
        }
        float[] validation = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15};
        assertThat(net.evalInputs.get(0)).isEqualTo(validation);
    }

    @Test
    void theSameSeedAugmentsTheSameWay() {
        Recorder a = new Recorder(1, 2, 2);
        Recorder b = new Recorder(1, 2, 2);
        for (Recorder r : List.of(a, b)) {
            Trainer.builder().learningRate(0.1).epochs(2).seed(9).augment(new Augmentation.Shift(1), new Augmentation.Noise(0.1)).build()
                    .fit(r, images(8));
        }
        for (int i = 0; i < a.trainInputs.size(); i++) {
            assertThat(a.trainInputs.get(i)).isEqualTo(b.trainInputs.get(i));
        }
    }

    @Test
    void aSecondFitContinuesTheOrderAndTheDrawsWhereTheFirstStopped() {
        Trainer.Builder trainer = Trainer.builder().learningRate(0.1).seed(9)
                .augment(new Augmentation.Shift(1), new Augmentation.Noise(0.1));
        Recorder straight = new Recorder(1, 2, 2);
        trainer.epochs(2).build().fit(straight, images(8));
        Recorder resumed = new Recorder(1, 2, 2);
        trainer.epochs(1).build().fit(resumed, images(8));
        assertThat(resumed.epochs()).isEqualTo(1);
        trainer.epochs(1).build().fit(resumed, images(8));

        assertThat(resumed.trainInputs).hasSize(4);
        for (int i = 0; i < 4; i++) {
            assertThat(resumed.trainInputs.get(i)).isEqualTo(straight.trainInputs.get(i));
        }
        // The second epoch is not the first again: order and draws moved on.
        assertThat(straight.trainInputs.get(2)).isNotEqualTo(straight.trainInputs.get(0));
    }

    @Test
    void imageAugmentationsNeedImages() {
        Recorder net = new Recorder(4);
        Dataset vectors = Dataset.regression(new float[8], new int[] {4}, new float[8], new int[] {4});
        var e = assertThrows(IllegalArgumentException.class,
                () -> Trainer.builder().learningRate(0.1).augment(new Augmentation.FlipHorizontal()).build().fit(net, vectors));
        assertThat(e).hasMessageThat().contains("needs images [C, H, W], but the examples have shape [4]");
    }

    @Test
    void augmentingDataTheNetworkDoesNotReadIsRefused() {
        Recorder net = new Recorder(4);
        Dataset data = Dataset.builder().features("pixels", new float[8], 4).floats("noisy", new float[8], 4)
                .targets("clean", new float[8], 4).build();
        var e = assertThrows(IllegalArgumentException.class,
                () -> Trainer.builder().learningRate(0.1).augment(new Augmentation.Noise(0.1)).build().fit(net, data));
        assertThat(e).hasMessageThat().isEqualTo("augmentation changes the data set's features, but network Recorder"
                + " reads none of Dataset[2 examples: pixels: float[4] (features), noisy: float[4], clean: float[4] (targets)]");
    }
}
