package org.dnnc.runtime.data;

import static com.google.common.truth.Truth.assertThat;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class StandardizationTest {
    /** Features (1, 5), (3, 5): the first varies with mean 2 and deviation 1, the second is constant. */
    private static final Dataset TRAIN = Dataset.of(new float[] {1, 5, 3, 5}, new int[] {2}, new int[] {0, 1});

    @Test
    void perFeatureFitsOnTrainingAndAppliesTheSameToOtherSets() {
        Standardization s = Standardization.perFeature(TRAIN);
        assertThat(s.mean()).usingExactEquality().containsExactly(2f, 5f).inOrder();
        assertThat(s.std()).usingExactEquality().containsExactly(1f, 1f).inOrder(); // constant feature: 1
        Dataset train = s.apply(TRAIN);
        assertThat(train.features(0)).usingExactEquality().containsExactly(-1f, 0f).inOrder();
        assertThat(train.features(1)).usingExactEquality().containsExactly(1f, 0f).inOrder();
        assertThat(train.label(1)).isEqualTo(1);

        Dataset test = Dataset.of(new float[] {4, 7}, new int[] {2}, new int[] {1});
        assertThat(s.apply(test).features(0)).usingExactEquality().containsExactly(2f, 2f).inOrder();
        assertThat(test.features(0)).usingExactEquality().containsExactly(4f, 7f).inOrder(); // unchanged
        assertThat(assertThrows(IllegalArgumentException.class,
                () -> s.apply(Dataset.of(new float[3], new int[] {3}, new int[] {0})))).hasMessageThat()
                .isEqualTo("statistics for 2 features cannot standardize examples of 3 features");
    }

    @Test
    void globalUsesOnePairForAllFeatures() {
        Standardization s = Standardization.global(TRAIN);
        assertThat(s.mean()).usingExactEquality().containsExactly(3.5f);
        assertThat(s.std()[0]).isWithin(1e-6f).of((float) Math.sqrt(2.75));
        Dataset standardized = s.apply(TRAIN);
        double sum = 0;
        double squares = 0;
        for (int i = 0; i < 2; i++) {
            for (float v : standardized.features(i)) {
                sum += v;
                squares += v * v;
            }
        }
        assertThat(sum).isWithin(1e-5).of(0);
        assertThat(squares / 4).isWithin(1e-5).of(1);
        assertThat(s).isEqualTo(new Standardization(new float[] {3.5f}, s.std()));
    }

    @Test
    void rejectsEmptyDataAndInvalidStatistics() {
        assertThrows(IllegalArgumentException.class, () -> Standardization.global(TRAIN.head(0)));
        assertThrows(IllegalArgumentException.class, () -> new Standardization(new float[] {0}, new float[] {0}));
        assertThrows(IllegalArgumentException.class, () -> new Standardization(new float[] {0, 1}, new float[] {1}));
    }
}
