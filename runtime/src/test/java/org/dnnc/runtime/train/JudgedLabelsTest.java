package org.dnnc.runtime.train;

import static com.google.common.truth.Truth.assertThat;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

/**
 * Accuracy over the labels a step judged: a step whose loss ignores padding reports how many labels
 * counted, and the epoch's accuracy divides by their sum instead of by every label.
 */
class JudgedLabelsTest {

    @Test
    void accuracyDividesByTheLabelsJudged() {
        EpochCounters counters = new EpochCounters(1, 3, true, 5);
        counters.startEpoch(0);
        counters.add(new StepResult(1.0, 3, 4, true), 2, 0.1, 1);
        counters.add(new StepResult(1.0, 1, 2, true), 2, 0.1, 2);
        assertThat(counters.epochAccuracy()).isWithin(1e-12).of(4.0 / 6);
        counters.add(new StepResult(1.0, 6), 2, 0.1, 3);
        assertThat(counters.epochAccuracy()).isWithin(1e-12).of(10.0 / 16);
    }

    @Test
    void moreCorrectThanJudgedIsRefused() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new StepResult(1.0, 3, 2, true));
        assertThat(e).hasMessageThat().isEqualTo("a step cannot judge 2 labels with 3 of them correct");
    }
}
