package org.dnnc.compiler.codegen;

import static com.google.common.truth.Truth.assertThat;
import static com.google.common.truth.Truth.assertWithMessage;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.reflect.InvocationTargetException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.dnnc.compiler.Compiler;
import org.dnnc.compiler.diag.SourceFile;
import org.dnnc.compiler.sema.NetworkModel;
import org.dnnc.runtime.Inputs;
import org.dnnc.runtime.train.StepResult;
import org.dnnc.runtime.train.TrainableNetwork;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A generated instance's lifetime and threads: close() racing a call never frees memory under it
 * (a crash here kills the test JVM), a closed instance refuses every call that touches its memory,
 * and two threads on one instance get correct results or an {@code IllegalStateException}.
 */
class GeneratedLifetimeTest {
    private static final String SOURCE = """
            package org.dnnc.test;

            network Tiny {
                input x: float[16];
                input label: int;
                logits = x -> dense(32) -> relu -> dense(4);
                output probs = softmax(logits);

                train {
                    loss      = cross_entropy(logits, label);
                    optimizer = sgd(lr: 0.1);
                    batch     = 8;
                    epochs    = 1;
                }
            }
            """;
    private static final int EXAMPLES = 64;
    private static final int RACES = 1000;
    private static final ExecutorService POOL = Executors.newFixedThreadPool(2);

    @TempDir
    static Path work;

    private static Class<?> generated;
    private static MethodHandle predictOverload;
    /** Two sets of inputs, and what one thread alone predicts from each on a fresh instance. */
    private static float[] x;
    private static float[] otherX;
    private static float[] expected;
    private static float[] otherExpected;
    private static int[] labels;
    /** What one thread alone gets from one training step of a fresh instance. */
    private static StepResult expectedStep;

    @BeforeAll
    static void generate() throws Exception {
        SourceFile source = new SourceFile("Tiny.dnn", SOURCE);
        NetworkModel model = Compiler.compile(source).networks().get(0);
        generated = JavaSourceCompiler.compile(model.qualifiedName(), JavaGenerator.generate(model, source).toString(),
                work, List.of());
        predictOverload = MethodHandles.publicLookup().findVirtual(generated, "predict",
                MethodType.methodType(void.class, float[].class, int.class, float[].class));
        SplittableRandom random = new SplittableRandom(5);
        x = randomInputs(random);
        otherX = randomInputs(random);
        labels = random.ints(8, 0, 4).toArray();
        try (TrainableNetwork net = build()) {
            expected = net.predict(Inputs.of("x", x)).get("probs");
            otherExpected = net.predict(Inputs.of("x", otherX)).get("probs");
        }
        assertThat(otherExpected).isNotEqualTo(expected);
        try (TrainableNetwork net = build()) {
            expectedStep = net.trainStep(step(), 8, 0.1);
        }
    }

    @AfterAll
    static void release() {
        POOL.shutdownNow();
    }

    @Test
    void callsRacingCloseEndNormallyOrWithIllegalStateException() throws Exception {
        for (int race = 0; race < RACES; race++) {
            TrainableNetwork net = build();
            SplittableRandom random = new SplittableRandom(race);
            // Jitter, so that close lands before, inside and after the call in different races.
            int callDelay = random.nextInt(500);
            int closeDelay = random.nextInt(3000);
            int kind = race % 3;
            CyclicBarrier start = new CyclicBarrier(2);
            Future<?> call = POOL.submit(() -> {
                start.await();
                spin(callDelay);
                try {
                    check(kind, net);
                } catch (IllegalStateException e) {
                    assertThat(e).hasMessageThat().isEqualTo("Tiny is closed");
                }
                return null;
            });
            Future<?> close = POOL.submit(() -> {
                start.await();
                spin(closeDelay);
                net.close();
                return null;
            });
            result(close, "close, race " + race);
            result(call, "call " + kind + ", race " + race);
            net.close(); // a second close does nothing
        }
    }

    @Test
    void aClosedInstanceRefusesEveryCallThatTouchesItsMemory() throws Exception {
        TrainableNetwork net = build();
        net.close();
        net.close();
        List<ThrowingCall> calls = List.of(
                () -> net.predict(Inputs.of("x", x)),
                () -> predictInto(net, x),
                () -> generated.getMethod("predict", float[].class).invoke(net, new float[16]),
                () -> net.trainStep(step(), 8, 0.1),
                () -> net.evaluateStep(step(), 8),
                () -> net.copyParametersTo(new float[net.parameterCount()]),
                () -> net.copyParametersFrom(new float[net.parameterCount()]),
                () -> generated.getMethod("save", Path.class).invoke(net, work.resolve("never.safetensors")),
                () -> generated.getMethod("load", Path.class).invoke(net, work.resolve("never.safetensors")));
        for (int i = 0; i < calls.size(); i++) {
            Throwable thrown = assertThrows(Throwable.class, calls.get(i)::run);
            Throwable cause = thrown instanceof InvocationTargetException e ? e.getCause() : thrown;
            assertWithMessage("call %s", i).that(cause).isInstanceOf(IllegalStateException.class);
            assertWithMessage("call %s", i).that(cause).hasMessageThat().isEqualTo("Tiny is closed");
        }
    }

    @Test
    void twoThreadsPredictingOnOneInstanceGetTheirOwnResultsOrIllegalStateException() throws Exception {
        try (TrainableNetwork net = build()) {
            CyclicBarrier start = new CyclicBarrier(2);
            Future<Integer> a = POOL.submit(() -> predictMany(net, start, x, expected));
            Future<Integer> b = POOL.submit(() -> predictMany(net, start, otherX, otherExpected));
            int results = result(a, "first thread") + result(b, "second thread");
            // Whichever thread is inside when the other is refused finishes with a result.
            assertThat(results).isAtLeast(1);
        }
    }

    /**
     * Predicts {@code input} 300 times with both overloads, checking each result against {@code
     * want}; a refusal must be the in-use exception. Returns how many calls gave a result.
     */
    private static int predictMany(TrainableNetwork net, CyclicBarrier start, float[] input, float[] want)
            throws Exception {
        start.await();
        int results = 0;
        for (int i = 0; i < 300; i++) {
            try {
                assertThat(i % 2 == 0 ? predictInto(net, input) : net.predict(Inputs.of("x", input)).get("probs"))
                        .isEqualTo(want);
                results++;
            } catch (IllegalStateException e) {
                assertThat(e).hasMessageThat().startsWith("Tiny is in use by thread ");
            }
        }
        return results;
    }

    /** Runs one of the calls that may race close and checks its result against one thread alone. */
    private static void check(int kind, TrainableNetwork net) {
        switch (kind) {
            case 0 -> assertThat(net.predict(Inputs.of("x", x)).get("probs")).isEqualTo(expected);
            case 1 -> assertThat(predictInto(net, x)).isEqualTo(expected);
            default -> assertThat(net.trainStep(step(), 8, 0.1)).isEqualTo(expectedStep);
        }
    }

    /** {@code predict(float[], int, float[])}, the overload outside the interface, on every example. */
    private static float[] predictInto(TrainableNetwork net, float[] input) {
        float[] out = new float[expected.length];
        try {
            predictOverload.invoke(net, input, EXAMPLES, out);
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
        return out;
    }

    /** The future's value; anything it threw (an unexpected exception, a wrong result) fails the test. */
    private static <T> T result(Future<T> future, String what) throws Exception {
        try {
            return future.get();
        } catch (ExecutionException e) {
            throw new AssertionError(what + " ended with " + e.getCause(), e.getCause());
        }
    }

    private static float[] randomInputs(SplittableRandom random) {
        float[] values = new float[EXAMPLES * 16];
        for (int i = 0; i < values.length; i++) {
            values[i] = (float) random.nextDouble(-2, 2);
        }
        return values;
    }

    private static Inputs step() {
        return Inputs.of("x", Arrays.copyOf(x, 8 * 16)).and("label", labels);
    }

    private static TrainableNetwork build() throws Exception {
        Object builder = generated.getMethod("builder").invoke(null);
        builder.getClass().getMethod("seed", long.class).invoke(builder, 3L);
        builder.getClass().getMethod("threads", int.class).invoke(builder, 1);
        return (TrainableNetwork) builder.getClass().getMethod("build").invoke(builder);
    }

    private static void spin(int iterations) {
        for (int i = 0; i < iterations; i++) {
            Thread.onSpinWait();
        }
    }

    private interface ThrowingCall {
        void run() throws Throwable;
    }
}
