package org.dnnc.runtime.cpu;

import static com.google.common.truth.Truth.assertThat;
import static com.google.common.truth.Truth.assertWithMessage;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.sun.management.ThreadMXBean;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/**
 * {@link CpuContext}: each context's thread count holds inside its own scopes only, whatever other
 * threads run in theirs; it owns its helper thread, which {@link CpuContext#close()} stops; close
 * from another thread waits for the thread inside, and from inside throws; and outside any scope
 * the kernels run serially.
 */
class CpuContextTest {

    /** A stride-1 5x5 convolution (the Winograd path), a strided 3x3 one (im2col) and a dense layer. */
    private static final ConvGeometry WINOGRAD = ConvGeometry.same(16, 14, 14, 32, 5, 5, 1, 1);
    private static final ConvGeometry IM2COL = ConvGeometry.same(8, 15, 15, 12, 3, 3, 2, 2);
    private static final int BATCH = 8;
    private static final int DENSE_BATCH = 32;
    private static final int IN = 301; // 32 x 301 x 211: above Dense's split threshold of 1M multiply-adds
    private static final int OUT = 211;

    private static final Buf X1 = Gaussian.buf(BATCH * WINOGRAD.inputSize(), 1);
    private static final Buf W1 = Gaussian.buf(WINOGRAD.weightSize(), 2);
    private static final Buf B1 = Gaussian.buf(WINOGRAD.filters(), 3);
    private static final Buf X2 = Gaussian.buf(BATCH * IM2COL.inputSize(), 4);
    private static final Buf W2 = Gaussian.buf(IM2COL.weightSize(), 5);
    private static final Buf X3 = Gaussian.buf(DENSE_BATCH * IN, 6);
    private static final Buf W3 = Gaussian.buf(OUT * IN, 7);
    private static final Buf B3 = Gaussian.buf(OUT, 8);

    /** One caller's outputs and scratch for the three layers; the inputs are shared. */
    private static final class Layers {
        private final Buf y1 = Buf.allocate(BATCH * WINOGRAD.outputSize());
        private final Buf y2 = Buf.allocate(BATCH * IM2COL.outputSize());
        private final Buf y3 = Buf.allocate(DENSE_BATCH * OUT);
        private final Buf scratch = Buf.allocate(
                Math.max(Conv2d.scratchFloats(WINOGRAD, 2), Conv2d.scratchFloats(IM2COL, 2)));

        /** The convolutions' outputs, then the dense layer's. */
        float[][] forward() {
            Conv2d.forward(WINOGRAD, X1, W1, B1, y1, scratch, BATCH, Activation.RELU, 0f);
            Conv2d.forward(IM2COL, X2, W2, null, y2, scratch, BATCH, Activation.IDENTITY, 0f);
            Dense.forward(X3, W3, B3, y3, DENSE_BATCH, IN, OUT, Activation.RELU, 0f);
            float[] convs = Arrays.copyOf(y1.toArray(), y1.size() + y2.size());
            System.arraycopy(y2.toArray(), 0, convs, y1.size(), y2.size());
            return new float[][] {convs, y3.toArray()};
        }
    }

    @Test
    void contextsOfOneAndTwoThreadsRunSideBySideUnaffected() throws Exception {
        try (CpuContext one = CpuContext.create(1); CpuContext two = CpuContext.create(2)) {
            // References, each context alone on this thread.
            float[][] serial = in(one, () -> new Layers().forward());
            float[][] split = in(two, () -> new Layers().forward());
            // Convolutions split by examples compute each one as alone; dense halves may round differently.
            assertBitIdentical("convolutions, two threads", split[0], serial[0]);
            Close.check("dense, two threads", split[1], serial[1], 1e-5, 1e-4);

            ExecutorService pool = Executors.newFixedThreadPool(2);
            try {
                CyclicBarrier start = new CyclicBarrier(2);
                Future<?> a = pool.submit(() -> repeat(one, 1, serial, start));
                Future<?> b = pool.submit(() -> repeat(two, 2, split, start));
                a.get();
                b.get();
            } finally {
                pool.shutdownNow();
            }
        }
    }

    /** Runs the layers many times in {@code context}, each time in a new scope, checking every result. */
    private static Void repeat(CpuContext context, int threads, float[][] expected, CyclicBarrier start)
            throws Exception {
        Layers layers = new Layers();
        start.await();
        for (int i = 0; i < 40; i++) {
            CpuContext.Scope scope = context.enter();
            try {
                assertThat(Workers.threads()).isEqualTo(threads);
                float[][] got = layers.forward();
                assertBitIdentical(context + ", run " + i + ", convolutions", got[0], expected[0]);
                assertBitIdentical(context + ", run " + i + ", dense", got[1], expected[1]);
                assertThat(Workers.threads()).isEqualTo(threads);
            } finally {
                scope.close();
            }
            assertThat(Workers.threads()).isEqualTo(1);
        }
        return null;
    }

    @Test
    void outsideAnyContextKernelsRunSerially() throws Exception {
        assertThat(Workers.threads()).isEqualTo(1);
        assertThat(partOneThread()).isSameInstanceAs(Thread.currentThread());
        // Also on another thread while this one is in a two-thread scope: the scope is this thread's.
        try (CpuContext two = CpuContext.create(2)) {
            in(two, () -> {
                assertThat(partOneThread()).isNotSameInstanceAs(Thread.currentThread());
                Thread[] seen = new Thread[2];
                int[] threads = new int[1];
                Thread other = new Thread(() -> {
                    threads[0] = Workers.threads();
                    seen[0] = Thread.currentThread();
                    seen[1] = partOneThread();
                });
                other.start();
                join(other);
                assertThat(threads[0]).isEqualTo(1);
                assertThat(seen[1]).isSameInstanceAs(seen[0]);
            });
        }
        assertThat(Workers.threads()).isEqualTo(1);
        assertThat(partOneThread()).isSameInstanceAs(Thread.currentThread());
    }

    @Test
    void closeStopsTheHelperThread() throws Exception {
        CpuContext two = CpuContext.create(2);
        Thread helper = in(two, CpuContextTest::partOneThread);
        assertThat(helper).isNotSameInstanceAs(Thread.currentThread());
        assertThat(helper.getName()).matches("dnnc-cpu-\\d+-worker-1");
        assertThat(helper.isDaemon()).isTrue();
        // The same helper serves the context on any thread that enters it later.
        Thread[] later = new Thread[1];
        Thread other = new Thread(() -> later[0] = in(two, CpuContextTest::partOneThread));
        other.start();
        join(other);
        assertThat(later[0]).isSameInstanceAs(helper);

        two.close();
        join(helper);
        two.close();
        IllegalStateException e = assertThrows(IllegalStateException.class, two::enter);
        assertThat(e).hasMessageThat().contains(two + " is closed");
    }

    /**
     * The helper runs from the start, and a buffer knows its address from the start: a first-use
     * branch in either, taken by each new network, trapped out of compiled kernels that had only seen
     * warm networks (see {@code docs/generated-classes.md}).
     */
    @Test
    void theHelperAndTheBuffersAddressesAreThereBeforeTheFirstCall() throws Exception {
        CpuContext two = CpuContext.create(2);
        String name = two.toString().split(" ")[1] + "-worker-1";
        Thread helper = Thread.getAllStackTraces().keySet().stream().filter(t -> t.getName().equals(name))
                .findFirst().orElseThrow(() -> new AssertionError("no thread " + name + " before the first call"));
        assertThat(helper.isAlive()).isTrue();
        assertThat(in(two, CpuContextTest::partOneThread)).isSameInstanceAs(helper);
        two.close();
        join(helper);

        Buf b = Buf.allocate(8);
        assertThat(b.address()).isNotEqualTo(0L);
        assertThat(b.pointer().address()).isEqualTo(b.address());
    }

    @Test
    void closeFromAnotherThreadWaitsUntilTheThreadInsideLeaves() throws Exception {
        CpuContext two = CpuContext.create(2, "Net");
        CountDownLatch entered = new CountDownLatch(1);
        CountDownLatch leave = new CountDownLatch(1);
        AtomicBoolean inside = new AtomicBoolean();
        Thread[] helper = new Thread[1];
        Throwable[] failure = new Throwable[1];
        Thread user = new Thread(() -> in(two, () -> {
            helper[0] = partOneThread();
            inside.set(true);
            entered.countDown();
            await(leave);
            try {
                // The helper still serves a scope whose context is being closed.
                assertThat(partOneThread()).isSameInstanceAs(helper[0]);
            } catch (Throwable t) {
                failure[0] = t;
            }
            inside.set(false);
        }));
        user.start();
        await(entered);
        // Two closers: the first one and a repeated close both return only once the user has left.
        List<Boolean> insideWhenClosed = Collections.synchronizedList(new ArrayList<>());
        Thread first = new Thread(() -> {
            two.close();
            insideWhenClosed.add(inside.get());
        });
        first.start();
        awaitWaiting(first);
        Thread again = new Thread(() -> {
            two.close();
            insideWhenClosed.add(inside.get());
        });
        again.start();
        awaitWaiting(again);
        assertThat(insideWhenClosed).isEmpty();
        // Closed already: nobody new gets in while the closers wait.
        Throwable[] refused = new Throwable[1];
        Thread late = new Thread(() -> refused[0] = assertThrows(IllegalStateException.class, two::enter));
        late.start();
        join(late);
        assertThat(refused[0]).hasMessageThat().isEqualTo("Net is closed");
        assertThat(helper[0].isAlive()).isTrue();

        leave.countDown();
        join(user);
        join(first);
        join(again);
        assertThat(failure[0]).isNull();
        assertThat(insideWhenClosed).containsExactly(false, false);
        join(helper[0]);
    }

    @Test
    void aWaitingCloseKeepsWaitingWhenInterruptedAndKeepsTheInterrupt() throws Exception {
        CpuContext one = CpuContext.create(1);
        CountDownLatch entered = new CountDownLatch(1);
        CountDownLatch leave = new CountDownLatch(1);
        Thread user = new Thread(() -> in(one, () -> {
            entered.countDown();
            await(leave);
        }));
        user.start();
        await(entered);
        CountDownLatch closed = new CountDownLatch(1);
        boolean[] interruptedAfter = new boolean[1];
        Thread closer = new Thread(() -> {
            one.close();
            interruptedAfter[0] = Thread.currentThread().isInterrupted();
            closed.countDown();
        });
        closer.start();
        awaitWaiting(closer);
        closer.interrupt();
        awaitWaiting(closer); // the interrupt was taken, and it waits again
        assertThat(closed.getCount()).isEqualTo(1);
        leave.countDown();
        join(user);
        join(closer);
        assertThat(interruptedAfter[0]).isTrue();
    }

    @Test
    void closingInsideOwnScopeThrowsAndLeavesTheContextOpen() {
        CpuContext two = CpuContext.create(2, "Net");
        CpuContext.Scope scope = two.enter();
        try {
            IllegalStateException e = assertThrows(IllegalStateException.class, two::close);
            assertThat(e).hasMessageThat().startsWith("Net cannot be closed inside one of its own calls");
            assertThat(partOneThread()).isNotSameInstanceAs(Thread.currentThread());
        } finally {
            scope.close();
        }
        in(two, () -> assertThat(Workers.threads()).isEqualTo(2));
        two.close();
        IllegalStateException e = assertThrows(IllegalStateException.class, two::enter);
        assertThat(e).hasMessageThat().isEqualTo("Net is closed");
    }

    /**
     * The guard as a generated network uses it, raced a thousand times: whoever wins, a scope never
     * sees the memory freed, and entering after close is refused with the owner's name.
     */
    @Test
    void closeNeverReturnsWhileAThreadIsInside() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            for (int race = 0; race < 1000; race++) {
                CpuContext context = CpuContext.create(1, "Net");
                AtomicBoolean freed = new AtomicBoolean();
                CyclicBarrier start = new CyclicBarrier(2);
                Future<Boolean> use = pool.submit(() -> {
                    start.await();
                    try {
                        in(context, () -> {
                            for (int i = 0; i < 1000; i++) {
                                assertThat(freed.get()).isFalse();
                            }
                        });
                        return true;
                    } catch (IllegalStateException e) {
                        assertThat(e).hasMessageThat().isEqualTo("Net is closed");
                        return false;
                    }
                });
                Future<?> close = pool.submit(() -> {
                    start.await();
                    context.close();
                    freed.set(true);
                    return null;
                });
                close.get();
                use.get(); // true: it ran; false: it was refused
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void scopesNestAndRestoreTheOuterContext() {
        try (CpuContext one = CpuContext.create(1); CpuContext two = CpuContext.create(2)) {
            CpuContext.Scope outer = two.enter();
            assertThat(Workers.threads()).isEqualTo(2);
            CpuContext.Scope again = two.enter();
            CpuContext.Scope inner = one.enter();
            assertThat(Workers.threads()).isEqualTo(1);
            // Two is entered further out: entering it here would interleave the scopes.
            IllegalStateException interleaved = assertThrows(IllegalStateException.class, two::enter);
            assertThat(interleaved).hasMessageThat().contains("already entered on this thread");
            // Closing an outer scope first is refused, and changes nothing.
            assertThrows(IllegalStateException.class, again::close);
            assertThat(Workers.threads()).isEqualTo(1);
            inner.close();
            assertThat(Workers.threads()).isEqualTo(2);
            again.close();
            assertThat(Workers.threads()).isEqualTo(2);
            outer.close();
            assertThat(Workers.threads()).isEqualTo(1);
            assertThrows(IllegalStateException.class, outer::close);
        }
    }

    @Test
    void aContextRunsOneThreadAtATime() throws Exception {
        try (CpuContext two = CpuContext.create(2)) {
            Throwable[] refused = new Throwable[1];
            in(two, () -> {
                Thread other = new Thread(() -> refused[0] = assertThrows(IllegalStateException.class, two::enter));
                other.start();
                join(other);
            });
            assertThat(refused[0]).hasMessageThat()
                    .contains("in use by thread " + Thread.currentThread().getName());
        }
    }

    @Test
    void threadCountsBelowOneAreRefused() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> CpuContext.create(0));
        assertThat(e).hasMessageThat().contains("at least 1 thread, got 0");
    }

    @Test
    void openBlasRunsOneThreadWhileAContextOfAtMostTwoIsEntered() throws Exception {
        try (CpuContext three = CpuContext.create(3); CpuContext one = CpuContext.create(1);
                CpuContext two = CpuContext.create(2)) {
            in(three, () -> {
                assertThat(Workers.threads()).isEqualTo(1);
                assertThat(Blas.threads()).isEqualTo(3);
                in(one, () -> assertThat(Blas.threads()).isEqualTo(1));
                assertThat(Blas.threads()).isEqualTo(3);
            });
            // A context of two threads entered on another thread keeps OpenBLAS at one until it leaves.
            CountDownLatch entered = new CountDownLatch(1);
            CountDownLatch leave = new CountDownLatch(1);
            Thread other = new Thread(() -> in(two, () -> {
                entered.countDown();
                await(leave);
            }));
            other.start();
            await(entered);
            in(three, () -> assertThat(Blas.threads()).isEqualTo(1));
            leave.countDown();
            join(other);
            in(three, () -> assertThat(Blas.threads()).isEqualTo(3));
        }
    }

    @Test
    void enteringAndLeavingAllocateNothing() {
        try (CpuContext one = CpuContext.create(1); CpuContext two = CpuContext.create(2)) {
            Runnable step = () -> {
                CpuContext.Scope outer = two.enter();
                CpuContext.Scope inner = one.enter();
                CpuContext.Scope again = one.enter();
                again.close();
                inner.close();
                outer.close();
            };
            for (int i = 0; i < 20_000; i++) {
                step.run(); // let the JIT compile it
            }
            ThreadMXBean threads = (ThreadMXBean) ManagementFactory.getThreadMXBean();
            long tid = Thread.currentThread().getId();
            long before = threads.getThreadAllocatedBytes(tid);
            for (int i = 0; i < 10_000; i++) {
                step.run();
            }
            // Anything allocated per step would add at least 16 bytes x 10,000.
            assertThat(threads.getThreadAllocatedBytes(tid) - before).isLessThan(16_000L);
        }
    }

    /** Fails at the first value whose bits differ (without printing whole arrays). */
    private static void assertBitIdentical(String what, float[] actual, float[] expected) {
        assertThat(actual.length).isEqualTo(expected.length);
        int i = Arrays.mismatch(actual, expected);
        if (i >= 0) {
            throw new AssertionError(what + ": value " + i + " is " + actual[i] + ", expected " + expected[i]);
        }
    }

    /** The thread that runs part 1 of a call split by {@link Workers#runTwo}. */
    private static Thread partOneThread() {
        Thread[] ran = new Thread[2];
        Workers.runTwo((part, parts) -> ran[part] = Thread.currentThread());
        assertThat(ran[0]).isSameInstanceAs(Thread.currentThread());
        return ran[1];
    }

    private static <T> T in(CpuContext context, Supplier<T> body) {
        CpuContext.Scope scope = context.enter();
        try {
            return body.get();
        } finally {
            scope.close();
        }
    }

    private static void in(CpuContext context, Runnable body) {
        in(context, () -> {
            body.run();
            return null;
        });
    }

    // The waits below have no time limit: a wait that never ends is a hang, which the build's
    // fork timeout (forkedProcessTimeoutInSeconds in the root pom) ends, not an assertion that a
    // busy machine could fail.

    private static void join(Thread t) {
        try {
            t.join();
        } catch (InterruptedException e) {
            throw new AssertionError(e);
        }
    }

    /** Waits until {@code t} waits in {@code Object.wait} with no interrupt pending; fails if it ends instead. */
    private static void awaitWaiting(Thread t) {
        while (t.getState() != Thread.State.WAITING || t.isInterrupted()) {
            assertWithMessage("%s waits in close()", t.getName()).that(t.isAlive()).isTrue();
            Thread.yield();
        }
    }

    private static void await(CountDownLatch latch) {
        try {
            latch.await();
        } catch (InterruptedException e) {
            throw new AssertionError(e);
        }
    }
}
