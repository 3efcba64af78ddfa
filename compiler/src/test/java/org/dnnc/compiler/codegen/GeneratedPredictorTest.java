package org.dnnc.compiler.codegen;

import static com.google.common.truth.Truth.assertThat;
import static com.google.common.truth.Truth.assertWithMessage;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.lang.reflect.InvocationTargetException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.dnnc.compiler.Compiler;
import org.dnnc.compiler.diag.SourceFile;
import org.dnnc.compiler.sema.NetworkModel;
import org.dnnc.runtime.Inputs;
import org.dnnc.runtime.Hold;
import org.dnnc.runtime.Predictor;
import org.dnnc.runtime.data.Dataset;
import org.dnnc.runtime.train.BatchProgress;
import org.dnnc.runtime.train.TrainableNetwork;
import org.dnnc.runtime.train.TrainingListener;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * One instance refuses a second thread at once (made deterministic with latches inside {@code fit}
 * and with {@code hold()}), and a {@code Predictor} serves eight threads with exactly the
 * predictions of one thread on one instance, from an instance's snapshot or from a checkpoint (also
 * through a class without a train section).
 */
class GeneratedPredictorTest {
    private static final String SOURCE = """
            package org.dnnc.test;

            network Tiny {
                input x: float[1, 6, 6];
                input label: int;
                logits = x -> conv2d(4, kernel: 3, padding: same) -> batchnorm -> relu -> maxpool(2)
                           -> flatten -> dense(16) -> relu -> dense(3);
                output probs = softmax(logits);

                train {
                    loss      = cross_entropy(logits, label);
                    optimizer = sgd(lr: 0.05, momentum: 0.9);
                    batch     = 8;
                    epochs    = 1;
                }
            }
            """;
    /** Tiny's layers without its train section: the same parameter names, so Tiny's checkpoints fit it. */
    private static final String SCORER = """
            package org.dnnc.test;

            network TinyScorer {
                input x: float[1, 6, 6];
                logits = x -> conv2d(4, kernel: 3, padding: same) -> batchnorm -> relu -> maxpool(2)
                           -> flatten -> dense(16) -> relu -> dense(3);
                output probs = softmax(logits);
            }
            """;
    private static final int EXAMPLE = 36;
    private static final int THREADS = 8;
    /** Sets of inputs the threads predict, of 1 to 20 examples each. */
    private static final int REQUESTS = 60;

    @TempDir
    static Path work;

    private static Class<?> generated;
    private static Dataset data;
    private static ExecutorService pool;

    @BeforeAll
    static void generate() throws Exception {
        SourceFile source = new SourceFile("Tiny.dnn", SOURCE);
        NetworkModel model = Compiler.compile(source).networks().get(0);
        generated = JavaSourceCompiler.compile(model.qualifiedName(), JavaGenerator.generate(model, source).toString(),
                work, List.of());
        SplittableRandom random = new SplittableRandom(11);
        data = Dataset.builder().features("x", values(random, 48 * EXAMPLE), 1, 6, 6)
                .labels("label", random.ints(48, 0, 3).toArray()).build();
        pool = Executors.newFixedThreadPool(THREADS);
    }

    @AfterAll
    static void release() {
        pool.shutdownNow();
    }

    @Test
    void aSecondThreadIsRefusedWhileFitRunsAndTheTrainingThreadMayCallIn() throws Exception {
        try (TrainableNetwork net = build()) {
            CountDownLatch inside = new CountDownLatch(1);
            CountDownLatch release = new CountDownLatch(1);
            float[][] fromListener = new float[1][];
            TrainingListener pause = new TrainingListener() {
                @Override
                public void onBatchEnd(BatchProgress progress) {
                    if (progress.batch() == 1) {
                        // Calls from the training thread itself nest in the run.
                        fromListener[0] = net.predict(Inputs.of("x", data.features(0))).get("probs");
                        inside.countDown();
                        await(release);
                    }
                }
            };
            Future<?> training = pool.submit(() -> fit(net, pause));
            inside.await();
            IllegalStateException refused = assertThrows(IllegalStateException.class,
                    () -> net.predict(Inputs.of("x", data.features(1))));
            assertThat(refused).hasMessageThat().startsWith("Tiny is in use by thread ");
            assertThat(refused).hasMessageThat().contains("Tiny.predictor()");
            assertThrows(IllegalStateException.class, () -> net.copyParametersTo(new float[net.parameterCount()]));
            release.countDown();
            result(training, "fit");
            assertThat(fromListener[0]).hasLength(3);
            // Once fit has returned, the instance takes calls from any thread again.
            assertThat(net.predict(Inputs.of("x", data.features(1))).get("probs")).hasLength(3);
        }
    }

    @Test
    void aHoldReservesTheInstanceUntilItIsClosed() throws Exception {
        try (TrainableNetwork net = build()) {
            Inputs one = Inputs.of("x", data.features(0));
            float[] alone = net.predict(one).get("probs");
            try (Hold hold = net.hold()) {
                assertThat(net.predict(one).get("probs")).isEqualTo(alone);
                ExecutionException e = assertThrows(ExecutionException.class, () -> pool.submit(() -> net.predict(one)).get());
                assertThat(e.getCause()).isInstanceOf(IllegalStateException.class);
                assertThat(e.getCause()).hasMessageThat().contains("Tiny is in use by thread " + Thread.currentThread().getName());
            }
            assertThat(pool.submit(() -> net.predict(one).get("probs")).get()).isEqualTo(alone);
        }
    }

    @Test
    void eightThreadsThroughAPredictorGetExactlyTheSingleThreadedPredictions() throws Exception {
        List<Inputs> requests = new ArrayList<>();
        List<float[]> expected = new ArrayList<>();
        SplittableRandom random = new SplittableRandom(3);
        Predictor predictor;
        try (TrainableNetwork net = build()) {
            fit(net);
            for (int i = 0; i < REQUESTS; i++) {
                Inputs request = Inputs.of("x", values(random, (1 + i % 20) * EXAMPLE));
                requests.add(request);
                expected.add(net.predict(request).get("probs"));
            }
            predictor = (Predictor) generated.getMethod("predictor").invoke(net);
            // The predictor took a snapshot: more training and closing the instance change nothing.
            fit(net);
            assertThat(net.predict(requests.get(0)).get("probs")).isNotEqualTo(expected.get(0));
        }
        try (predictor) {
            assertThat(predictor.name()).isEqualTo("Tiny");
            CyclicBarrier start = new CyclicBarrier(THREADS);
            List<Future<Integer>> threads = new ArrayList<>();
            for (int t = 0; t < THREADS; t++) {
                int first = t * 7;
                threads.add(pool.submit(() -> {
                    start.await();
                    int checked = 0;
                    for (int k = 0; k < 3 * REQUESTS; k++) {
                        int i = (first + k) % REQUESTS;
                        assertWithMessage("request %s", i).that(predictor.predict(requests.get(i)).get("probs"))
                                .isEqualTo(expected.get(i));
                        checked++;
                    }
                    return checked;
                }));
            }
            for (int t = 0; t < THREADS; t++) {
                assertThat(result(threads.get(t), "thread " + t)).isEqualTo(3 * REQUESTS);
            }
            assertThat(predictor.instances()).isAtMost(THREADS);
        }
        IllegalStateException closed = assertThrows(IllegalStateException.class, () -> predictor.predict(requests.get(0)));
        assertThat(closed).hasMessageThat().isEqualTo("the predictor of Tiny is closed");
    }

    @Test
    void aPredictorFromACheckpointPredictsAsTheSavedInstance() throws Exception {
        Path file = work.resolve("tiny.safetensors");
        Inputs request = Inputs.of("x", values(new SplittableRandom(8), 5 * EXAMPLE));
        float[] saved;
        try (TrainableNetwork net = build()) {
            fit(net);
            saved = net.predict(request).get("probs");
            generated.getMethod("save", Path.class).invoke(net, file);
        }
        try (Predictor predictor = (Predictor) generated.getMethod("predictor", Path.class).invoke(null, file)) {
            assertThat(pool.submit(() -> predictor.predict(request).get("probs")).get()).isEqualTo(saved);
        }
        // A class without a train section, of the same layers, serves the checkpoint too.
        SourceFile source = new SourceFile("TinyScorer.dnn", SCORER);
        NetworkModel model = Compiler.compile(source).networks().get(0);
        Class<?> scorer = JavaSourceCompiler.compile(model.qualifiedName(), JavaGenerator.generate(model, source).toString(),
                work.resolve("scorer"), List.of());
        assertThat(TrainableNetwork.class.isAssignableFrom(scorer)).isFalse();
        try (Predictor predictor = (Predictor) scorer.getMethod("predictor", Path.class).invoke(null, file)) {
            assertThat(pool.submit(() -> predictor.predict(request).get("probs")).get()).isEqualTo(saved);
        }
        Path garbage = Files.writeString(work.resolve("garbage.safetensors"), "not a checkpoint");
        InvocationTargetException e = assertThrows(InvocationTargetException.class,
                () -> generated.getMethod("predictor", Path.class).invoke(null, garbage));
        assertThat(e.getCause()).isInstanceOf(IOException.class);
    }

    private static void fit(TrainableNetwork net, TrainingListener... listeners) {
        try {
            generated.getMethod("fit", Dataset.class, Dataset.class, TrainingListener[].class)
                    .invoke(net, data, null, listeners);
        } catch (InvocationTargetException e) {
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            throw new AssertionError(e.getCause());
        } catch (ReflectiveOperationException e) {
            throw new AssertionError(e);
        }
    }

    private static void await(CountDownLatch latch) {
        try {
            latch.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    /** The future's value; anything it threw (an unexpected exception, a wrong result) fails the test. */
    private static <T> T result(Future<T> future, String what) throws Exception {
        try {
            return future.get();
        } catch (ExecutionException e) {
            throw new AssertionError(what + " ended with " + e.getCause(), e.getCause());
        }
    }

    private static float[] values(SplittableRandom random, int n) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = (float) random.nextDouble(-2, 2);
        }
        return v;
    }

    private static TrainableNetwork build() throws Exception {
        Object builder = generated.getMethod("builder").invoke(null);
        builder.getClass().getMethod("seed", long.class).invoke(builder, 3L);
        builder.getClass().getMethod("threads", int.class).invoke(builder, 1);
        return (TrainableNetwork) builder.getClass().getMethod("build").invoke(builder);
    }
}
