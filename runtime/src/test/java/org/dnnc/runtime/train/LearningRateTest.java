package org.dnnc.runtime.train;

import static com.google.common.truth.Truth.assertThat;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.dnnc.runtime.train.LearningRate.Cyclical.Mode;
import org.junit.jupiter.api.Test;

class LearningRateTest {
    private static final double TOLERANCE = 1e-12;

    @Test
    void spansConvertToSteps() {
        assertThat(Span.epochs(3).toSteps(7)).isEqualTo(21);
        assertThat(Span.steps(3).toSteps(7)).isEqualTo(3);
        assertThat(Span.epochs(1).toString()).isEqualTo("1 epoch");
        assertThat(Span.steps(100).toString()).isEqualTo("100 steps");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Span.epochs(0));
        assertThat(e).hasMessageThat().isEqualTo("a span must be a positive count of epochs, got 0");
    }

    @Test
    void constantIsTheBaseRate() {
        LearningRate constant = new LearningRate.Constant();
        assertThat(constant.rate(0.01, 0, 10)).isEqualTo(0.01);
        assertThat(constant.rate(0.01, 123_456, 10)).isEqualTo(0.01);
        assertThat(constant.stepLimit(10)).isEqualTo(Long.MAX_VALUE);
    }

    @Test
    void linearDecayReachesTheFloorAtTauAndStays() {
        // over 2 epochs of 5 steps: tau = 10; rate = 1 + (0.1 - 1) * min(step, 10) / 10.
        LearningRate decay = new LearningRate.LinearDecay(Span.epochs(2), 0.1);
        assertRate(decay, 1.0, 0, 1.0);
        assertRate(decay, 1.0, 5, 0.55); // 1 - 0.9 * 0.5
        assertRate(decay, 1.0, 9, 0.19); // 1 - 0.9 * 0.9
        assertRate(decay, 1.0, 10, 0.1);
        assertRate(decay, 1.0, 1000, 0.1);
    }

    @Test
    void stepDecayMultipliesOncePerInterval() {
        // every 3 steps, factor 0.5: 0.8 * 0.5^floor(step / 3).
        LearningRate decay = new LearningRate.StepDecay(Span.steps(3), 0.5);
        assertRate(decay, 0.8, 0, 0.8);
        assertRate(decay, 0.8, 2, 0.8);
        assertRate(decay, 0.8, 3, 0.4);
        assertRate(decay, 0.8, 7, 0.2); // floor(7 / 3) = 2
        // every 1 epoch of 4 steps: step 4 starts the second epoch.
        LearningRate perEpoch = new LearningRate.StepDecay(Span.epochs(1), 0.1);
        assertThat(perEpoch.rate(1.0, 3, 4)).isWithin(TOLERANCE).of(1.0);
        assertThat(perEpoch.rate(1.0, 4, 4)).isWithin(TOLERANCE).of(0.1);
    }

    @Test
    void triangularClimbsAndFallsBetweenTheBounds() {
        // half cycle H = 4 steps, min 0.1, max 1.0: height = distance to the cycle's ends / H.
        LearningRate clr = new LearningRate.Cyclical(0.1, 1.0, Span.steps(4), Mode.TRIANGULAR);
        assertRate(clr, 123, 0, 0.1); // the base rate plays no part
        assertRate(clr, 123, 2, 0.55); // 0.1 + 0.9 * 2/4
        assertRate(clr, 123, 4, 1.0); // peak at H
        assertRate(clr, 123, 6, 0.55); // falling: (8 - 6) / 4
        assertRate(clr, 123, 8, 0.1); // the second cycle starts at 2H
        assertRate(clr, 123, 12, 1.0); // and peaks as high
        // half cycle of 2 epochs at 3 steps each: H = 6, step 3 is half way up.
        assertThat(new LearningRate.Cyclical(0.1, 1.0, Span.epochs(2), Mode.TRIANGULAR).rate(0, 3, 3))
                .isWithin(TOLERANCE).of(0.55);
    }

    @Test
    void triangular2HalvesTheAmplitudeEachCycle() {
        LearningRate clr = new LearningRate.Cyclical(0.1, 1.0, Span.steps(4), Mode.TRIANGULAR2);
        assertRate(clr, 0, 4, 1.0); // cycle 0: amplitude 0.9
        assertRate(clr, 0, 12, 0.55); // cycle 1 peak: 0.1 + 0.9 / 2
        assertRate(clr, 0, 10, 0.325); // cycle 1, half way up: 0.1 + 0.9 * 1/2 * 1/2
        assertRate(clr, 0, 20, 0.325); // cycle 2 peak: 0.1 + 0.9 / 4
    }

    @Test
    void cosineAnnealsAndRestarts() {
        // T = 10 steps, min 0: 0.5 * (1 + cos(pi * t / 10)).
        LearningRate cosine = new LearningRate.Cosine(Span.steps(10), 0, 1);
        assertRate(cosine, 1.0, 0, 1.0);
        assertRate(cosine, 1.0, 5, 0.5); // cos(pi/2) = 0
        assertRate(cosine, 1.0, 9, 0.5 * (1 + Math.cos(0.9 * Math.PI))); // 0.02447...
        assertRate(cosine, 1.0, 10, 1.0); // restart
        assertRate(cosine, 1.0, 25, 0.5);
        // with min 0.2: 0.2 + (1 - 0.2) * 0.5 at half a cycle.
        assertRate(new LearningRate.Cosine(Span.steps(10), 0.2, 1), 1.0, 5, 0.6);
    }

    @Test
    void cosineCyclesGrowByTheMultiplier() {
        // cycles of 10, 20, 40 steps start at steps 0, 10 and 30.
        LearningRate sgdr = new LearningRate.Cosine(Span.steps(10), 0, 2);
        assertRate(sgdr, 1.0, 10, 1.0);
        assertRate(sgdr, 1.0, 20, 0.5); // t = 10 of 20
        assertRate(sgdr, 1.0, 29, 0.5 * (1 + Math.cos(19 * Math.PI / 20)));
        assertRate(sgdr, 1.0, 30, 1.0);
        assertRate(sgdr, 1.0, 50, 0.5); // t = 20 of 40
        // restart_every 1 epoch of 4 steps: cycles of 4, 8; step 8 is t = 4 of 8.
        assertThat(new LearningRate.Cosine(Span.epochs(1), 0, 2).rate(1.0, 8, 4)).isWithin(TOLERANCE).of(0.5);
    }

    @Test
    void rangeTestGrowsGeometricallyAndEnds() {
        // 5 steps from 1e-4 to 1: a factor (1 / 1e-4)^(1/4) = 10 per step.
        LearningRate test = new LearningRate.RangeTest(1e-4, 1, Span.steps(5));
        assertRate(test, 0.5, 0, 1e-4);
        assertRate(test, 0.5, 1, 1e-3);
        assertRate(test, 0.5, 2, 1e-2);
        assertRate(test, 0.5, 4, 1.0);
        assertRate(test, 0.5, 9, 1.0);
        assertThat(test.stepLimit(100)).isEqualTo(5);
        assertThat(new LearningRate.RangeTest(1e-4, 1, Span.epochs(2)).stepLimit(30)).isEqualTo(60);
    }

    @Test
    void argumentsAreChecked() {
        assertThat(assertThrows(IllegalArgumentException.class,
                () -> new LearningRate.StepDecay(Span.steps(1), 1.5)))
                .hasMessageThat().isEqualTo("step_decay: factor must be in (0, 1), got 1.5");
        assertThat(assertThrows(IllegalArgumentException.class,
                () -> new LearningRate.Cyclical(0.5, 0.1, Span.steps(4), Mode.TRIANGULAR)))
                .hasMessageThat().isEqualTo("cyclical: min_lr 0.5 is above max_lr 0.1");
        assertThat(assertThrows(IllegalArgumentException.class, () -> new LearningRate.Cosine(null, 0, 1)))
                .hasMessageThat().isEqualTo("cosine: restart_every is required (a count of epochs or steps)");
        assertThat(assertThrows(IllegalArgumentException.class,
                () -> new LearningRate.LinearDecay(Span.steps(4), -1)))
                .hasMessageThat().isEqualTo("linear_decay: floor must be a number >= 0, got -1.0");
    }

    private static void assertRate(LearningRate schedule, double base, long step, double expected) {
        assertThat(schedule.rate(base, step, 5)).isWithin(TOLERANCE).of(expected);
    }
}
