package org.dnnc.runtime.train;

/**
 * A learning-rate schedule: the rate of each optimizer step, from the optimizer's base rate and the
 * number of steps already taken. One record per schedule of the language (see "Learning-rate
 * schedules" in {@code docs/language.md}); lengths are {@link Span}s, converted to steps with the
 * number of batches per epoch.
 *
 * <p>Every schedule is a pure function of its arguments, so a run resumed from a checkpoint (whose
 * network reports its {@link TrainableNetwork#steps() steps}) continues on the same curve.
 */
public sealed interface LearningRate
        permits LearningRate.Constant, LearningRate.LinearDecay, LearningRate.StepDecay, LearningRate.Cyclical,
                LearningRate.Cosine, LearningRate.RangeTest {

    /**
     * The rate of the next optimizer step.
     *
     * @param baseRate the optimizer's {@code lr}
     * @param step how many steps were taken before this one (0 for the first)
     * @param stepsPerEpoch batches per epoch, to measure {@link Span}s given in epochs
     */
    double rate(double baseRate, long step, int stepsPerEpoch);

    /**
     * After how many steps training should end regardless of the epoch count: only the range test
     * ends on its own, since running on past its last, largest rate would only diverge.
     */
    default long stepLimit(int stepsPerEpoch) {
        return Long.MAX_VALUE;
    }

    /** The optimizer's rate throughout. */
    record Constant() implements LearningRate {
        @Override
        public double rate(double baseRate, long step, int stepsPerEpoch) {
            return baseRate;
        }
    }

    /**
     * Falls linearly from the base rate at step 0 to {@code floor} at step τ = {@code over}, then
     * stays there: {@code base + (floor - base) * min(step, τ) / τ}.
     */
    record LinearDecay(Span over, double floor) implements LearningRate {
        public LinearDecay {
            requireSpan(over, "linear_decay", "over");
            requireAtLeastZero(floor, "linear_decay", "floor");
        }

        @Override
        public double rate(double baseRate, long step, int stepsPerEpoch) {
            long tau = over.toSteps(stepsPerEpoch);
            return baseRate + (floor - baseRate) * Math.min(step, tau) / tau;
        }
    }

    /** Multiplies the base rate by {@code factor} once per {@code every}: {@code base * factor^floor(step / every)}. */
    record StepDecay(Span every, double factor) implements LearningRate {
        public StepDecay {
            requireSpan(every, "step_decay", "every");
            if (!(factor > 0 && factor < 1)) {
                throw new IllegalArgumentException("step_decay: factor must be in (0, 1), got " + factor);
            }
        }

        @Override
        public double rate(double baseRate, long step, int stepsPerEpoch) {
            return baseRate * Math.pow(factor, (double) (step / every.toSteps(stepsPerEpoch)));
        }
    }

    /**
     * Smith's cyclical learning rate, independent of the base rate: a triangle wave that climbs
     * linearly from {@code minLr} (at step 0) to {@code maxLr} over {@code halfCycle} steps H and
     * falls back over the next H. Cycle c (from 0) covers steps [2cH, 2(c+1)H); in {@link
     * Mode#TRIANGULAR2} its peak above {@code minLr} is {@code (maxLr - minLr) / 2^c}.
     */
    record Cyclical(double minLr, double maxLr, Span halfCycle, Mode mode) implements LearningRate {
        /** How the amplitude changes from cycle to cycle. */
        public enum Mode {
            /** Every cycle reaches {@code maxLr}. */
            TRIANGULAR,
            /** Each cycle's amplitude is half the previous one's. */
            TRIANGULAR2
        }

        public Cyclical {
            requirePositive(minLr, "cyclical", "min_lr");
            requirePositive(maxLr, "cyclical", "max_lr");
            if (minLr > maxLr) {
                throw new IllegalArgumentException("cyclical: min_lr " + minLr + " is above max_lr " + maxLr);
            }
            requireSpan(halfCycle, "cyclical", "half_cycle");
            if (mode == null) {
                throw new IllegalArgumentException("cyclical: mode must be triangular or triangular2");
            }
        }

        @Override
        public double rate(double baseRate, long step, int stepsPerEpoch) {
            long half = halfCycle.toSteps(stepsPerEpoch);
            long cycle = step / (2 * half);
            long position = step - cycle * 2 * half;
            double height = (double) (position < half ? position : 2 * half - position) / half;
            // Past ~1100 halvings the amplitude is below the smallest double anyway.
            double scale = mode == Mode.TRIANGULAR ? 1 : Math.scalb(1.0, (int) -Math.min(cycle, 1100));
            return minLr + (maxLr - minLr) * height * scale;
        }
    }

    /**
     * Cosine annealing with warm restarts (SGDR, Loshchilov and Hutter): each cycle follows half a
     * cosine from the base rate down to {@code minLr}, {@code minLr + (base - minLr) * (1 + cos(π t /
     * T)) / 2} at step t of a cycle of T steps, then restarts at the base rate. The first cycle is
     * {@code restartEvery} long, each next one {@code multiplier} times the previous.
     */
    record Cosine(Span restartEvery, double minLr, int multiplier) implements LearningRate {
        public Cosine {
            requireSpan(restartEvery, "cosine", "restart_every");
            requireAtLeastZero(minLr, "cosine", "min_lr");
            if (multiplier < 1) {
                throw new IllegalArgumentException("cosine: multiplier must be a positive integer, got " + multiplier);
            }
        }

        @Override
        public double rate(double baseRate, long step, int stepsPerEpoch) {
            long length = restartEvery.toSteps(stepsPerEpoch);
            long t = step;
            if (multiplier == 1) {
                t = step % length;
            } else {
                // Cycles grow geometrically, so this loop runs O(log step) times.
                while (t >= length) {
                    t -= length;
                    if (length > Long.MAX_VALUE / multiplier) {
                        break; // the next cycle would be longer than any reachable step count
                    }
                    length *= multiplier;
                }
            }
            return minLr + (baseRate - minLr) * (1 + Math.cos(Math.PI * t / length)) / 2;
        }
    }

    /**
     * The learning-rate range test, independent of the base rate: over {@code over} = T steps the
     * rate grows geometrically from {@code start} (step 0) to {@code end} (step T - 1), {@code start
     * * (end / start)^(step / (T - 1))}; training then stops (see {@link #stepLimit}).
     */
    record RangeTest(double start, double end, Span over) implements LearningRate {
        public RangeTest {
            requirePositive(start, "lr_range_test", "start");
            requirePositive(end, "lr_range_test", "end");
            requireSpan(over, "lr_range_test", "over");
        }

        @Override
        public double rate(double baseRate, long step, int stepsPerEpoch) {
            long last = over.toSteps(stepsPerEpoch) - 1;
            double fraction = last == 0 ? 0 : (double) Math.min(step, last) / last;
            return start * Math.pow(end / start, fraction);
        }

        @Override
        public long stepLimit(int stepsPerEpoch) {
            return over.toSteps(stepsPerEpoch);
        }
    }

    private static void requireSpan(Span span, String schedule, String argument) {
        if (span == null) {
            throw new IllegalArgumentException(schedule + ": " + argument + " is required (a count of epochs or steps)");
        }
    }

    private static void requirePositive(double value, String schedule, String argument) {
        if (!(value > 0) || !Double.isFinite(value)) {
            throw new IllegalArgumentException(schedule + ": " + argument + " must be a positive number, got " + value);
        }
    }

    private static void requireAtLeastZero(double value, String schedule, String argument) {
        if (!(value >= 0) || !Double.isFinite(value)) {
            throw new IllegalArgumentException(schedule + ": " + argument + " must be a number >= 0, got " + value);
        }
    }
}
