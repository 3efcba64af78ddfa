package org.dnnc.runtime.train;

import static com.google.common.truth.Truth.assertThat;

import java.lang.management.ManagementFactory;
import java.util.List;
import org.dnnc.runtime.Inputs;
import org.dnnc.runtime.TensorSpec;
import org.dnnc.runtime.data.Dataset;
import org.junit.jupiter.api.Test;

class TrainingLoopAllocationTest {

    /** A network that does nothing and allocates nothing, so that only the trainer's allocations count. */
    private static final class IdleNetwork implements FakeNetwork {
        private static final StepResult RESULT = new StepResult(8, 4);
        private long steps;

        @Override
        public String name() {
            return "Idle";
        }

        @Override
        public int maxBatch() {
            return 8;
        }

        @Override
        public List<TensorSpec> inputs() {
            return List.of(TensorSpec.floats("x", 1));
        }

        @Override
        public TargetKind targetKind() {
            return TargetKind.LABELS;
        }

        @Override
        public List<TensorSpec> targets() {
            return List.of(TensorSpec.ints("label"));
        }

        @Override
        public boolean hasAccuracy() {
            return true;
        }

        @Override
        public StepResult trainStep(Inputs batch, int count, double learningRate) {
            steps++;
            return RESULT;
        }

        @Override
        public StepResult evaluateStep(Inputs batch, int count) {
            return RESULT;
        }

        @Override
        public long steps() {
            return steps;
        }
    }

    @Test
    void stepsAllocateNothing() {
        // Twice the batches cost only the larger shuffled order (4 bytes per example) and
        // per-run objects; anything allocated per batch would add at least 16 bytes x 1,000.
        Trainer trainer = Trainer.builder().epochs(1).batch(8).learningRate(0.1)
                .schedule(new LearningRate.Cosine(Span.steps(100), 0, 2)).listener(new TrainingListener() {}).build();
        Dataset small = Dataset.of(new float[8_000], new int[] {1}, new int[8_000]);
        Dataset large = Dataset.of(new float[16_000], new int[] {1}, new int[16_000]);
        trainer.fit(new IdleNetwork(), small); // loads and links every class on the way

        long smallBytes = allocatedBy(() -> trainer.fit(new IdleNetwork(), small));
        long largeBytes = allocatedBy(() -> trainer.fit(new IdleNetwork(), large));
        assertThat(largeBytes - smallBytes).isLessThan(4L * 8_000 + 4_096);
    }

    private static long allocatedBy(Runnable work) {
        var threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        assertThat(threads.isThreadAllocatedMemoryEnabled()).isTrue();
        long before = threads.getCurrentThreadAllocatedBytes();
        work.run();
        return threads.getCurrentThreadAllocatedBytes() - before;
    }
}
