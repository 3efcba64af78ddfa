package org.dnnc.runtime;

import static com.google.common.truth.Truth.assertThat;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

/**
 * How a {@link Predictor} lends its instances: one per call in flight, made only when none is idle
 * and kept for later calls; closed the sharing ones first and the owner of the parameters last.
 * Latches inside the fake network's predict hold calls in flight, so nothing depends on timing.
 */
class PredictorTest {
    private static final List<TensorSpec> INPUTS = List.of(TensorSpec.floats("x", 1));
    private static final List<TensorSpec> OUTPUTS = List.of(TensorSpec.floats("y", 1));

    @Test
    void callsInFlightGetInstancesOfTheirOwnAndIdleOnesAreReused() throws Exception {
        List<String> closed = Collections.synchronizedList(new ArrayList<>());
        CountDownLatch bothInside = new CountDownLatch(2);
        CountDownLatch release = new CountDownLatch(1);
        Doubler owner = new Doubler("owner", closed, bothInside, release);
        int[] made = {0};
        Predictor predictor = Predictor.sharing(owner, () -> new Doubler("sibling " + ++made[0], closed, bothInside, release));
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            Future<float[]> a = pool.submit(() -> predictor.predict(Inputs.of("x", new float[] {1})).get("y"));
            Future<float[]> b = pool.submit(() -> predictor.predict(Inputs.of("x", new float[] {2})).get("y"));
            bothInside.await(); // two calls inside at once: two instances
            assertThat(predictor.instances()).isEqualTo(2);
            release.countDown();
            assertThat(a.get()[0] + b.get()[0]).isEqualTo(6f);
        } finally {
            pool.shutdownNow();
        }
        for (int i = 0; i < 5; i++) {
            assertThat(predictor.predict(Inputs.of("x", new float[] {i})).get("y")).isEqualTo(new float[] {2 * i});
        }
        assertThat(predictor.instances()).isEqualTo(2);
        assertThat(predictor.name()).isEqualTo("owner");
        predictor.close();
        predictor.close();
        assertThat(closed).containsExactly("sibling 1", "owner").inOrder();
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> predictor.predict(Inputs.of("x", new float[] {1})));
        assertThat(e).hasMessageThat().isEqualTo("the predictor of owner is closed");
    }

    /** Predicts {@code y = 2x}; its first two calls wait inside until released. */
    private static final class Doubler implements Network {
        private final String name;
        private final List<String> closed;
        private final CountDownLatch inside;
        private final CountDownLatch release;

        Doubler(String name, List<String> closed, CountDownLatch inside, CountDownLatch release) {
            this.name = name;
            this.closed = closed;
            this.inside = inside;
            this.release = release;
        }

        @Override
        public String name() {
            return name;
        }

        @Override
        public int maxBatch() {
            return 1;
        }

        @Override
        public List<TensorSpec> inputs() {
            return INPUTS;
        }

        @Override
        public List<TensorSpec> outputs() {
            return OUTPUTS;
        }

        @Override
        public Outputs predict(Inputs inputs) {
            if (inside.getCount() > 0) {
                inside.countDown();
                try {
                    release.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException(e);
                }
            }
            Outputs out = Outputs.allocate(OUTPUTS, 1);
            out.get("y")[0] = 2 * inputs.floats("x")[0];
            return out;
        }

        @Override
        public int parameterCount() {
            return 0;
        }

        @Override
        public void copyParametersTo(float[] dst) {}

        @Override
        public void copyParametersFrom(float[] src) {}

        @Override
        public void close() {
            closed.add(name);
        }
    }
}
