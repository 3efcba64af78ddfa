package org.dnnc.runtime.cpu;

import java.util.concurrent.locks.LockSupport;

/**
 * How many threads the CPU kernels split their work over, and the helper threads that do it.
 *
 * <p>With {@code setThreads(2)}, the calling thread runs one half of a large call and one helper
 * thread the other: {@link Conv2d} splits the batch (each half with its own GEMMs and its own part
 * of the scratch view, {@link Conv2d#scratchFloats(ConvGeometry, int)}; the weight gradient's
 * partial sums are added at the end), {@link Dense} splits the batch for its forward pass and input
 * gradient and the output rows for its weight gradient, and {@link Optimizers#adam} splits the
 * parameters. Set OpenBLAS to one thread ({@link Blas#setThreads}) when you do: the two are
 * alternatives. On two idle cores (the {@code CnnKernelBench} Fashion-MNIST CNN, batch 64) the
 * split made each convolution call about 1.7x faster and the training step 1.3x faster (45.8 to
 * 35.4 ms), where two OpenBLAS threads per GEMM gained nothing (45.4 ms), and beside other busy
 * processes often lost a lot (75 to 180 ms). Unlike OpenBLAS's workers, which spin for a long
 * time, the helper spins for at most 50 microseconds after a call and then parks, and the
 * caller parks while it waits, so a busy core costs at most the serial time plus a context switch.
 *
 * <p>The default is 1 (no helper thread). Each calling thread gets its own helper, a daemon thread
 * started on first use, so that networks run from different threads do not share one. A call hands
 * its work over through fields of preallocated objects: nothing is allocated per call.
 */
public final class Workers {

    /** The most threads a batch is split over. */
    public static final int MAX_THREADS = 2;

    private static volatile int threads = 1;

    /**
     * How long an idle helper spins before it parks. The calls of one training step come tens of
     * microseconds apart, and waking a parked thread takes about as long; spinning longer than this
     * would take a core from the JIT compiler or another process while the caller runs serial code.
     */
    private static final long SPIN_NANOS = 50_000L;

    private static final ThreadLocal<Helper> HELPER = ThreadLocal.withInitial(Helper::new);

    private Workers() {}

    /**
     * Sets how many threads the kernels split large calls over: 1 (default) or 2.
     *
     * @throws IllegalArgumentException if {@code n} is not in {@code [1, MAX_THREADS]}
     */
    public static void setThreads(int n) {
        if (n < 1 || n > MAX_THREADS) {
            throw new IllegalArgumentException("threads must be in [1, " + MAX_THREADS + "], got " + n);
        }
        threads = n;
    }

    /** How many threads the kernels split large calls over. */
    public static int threads() {
        return threads;
    }

    /** Work split in parts: part 0 runs on the caller, part 1 on its helper. */
    interface Parts {
        void run(int part, int parts);
    }

    /** Runs {@code work.run(p, 2)} for {@code p = 0, 1} on the caller and its helper, and waits for both. */
    static void runTwo(Parts work) {
        Helper h = HELPER.get();
        h.start(work);
        Throwable mine = null;
        try {
            work.run(0, 2);
        } catch (Throwable t) {
            mine = t;
        }
        Throwable theirs = h.await();
        if (mine == null && theirs != null) {
            mine = theirs;
        }
        if (mine instanceof RuntimeException e) {
            throw e;
        }
        if (mine instanceof Error e) {
            throw e;
        }
        if (mine != null) {
            throw new IllegalStateException(mine);
        }
    }

    /** One caller's helper thread: runs part 1 of whatever the caller hands it. */
    private static final class Helper implements Runnable {
        private final Thread owner = Thread.currentThread();
        private final Thread thread;
        private volatile Parts work;
        private volatile boolean done = true;
        private Throwable failure;

        Helper() {
            thread = new Thread(this, "dnnc-worker-for-" + owner.getName());
            thread.setDaemon(true);
            thread.start();
        }

        void start(Parts w) {
            failure = null;
            done = false;
            work = w;
            LockSupport.unpark(thread);
        }

        Throwable await() {
            // A short spin catches a helper that finishes about when we do; then sleep.
            for (int i = 0; i < 200 && !done; i++) {
                Thread.onSpinWait();
            }
            while (!done) {
                LockSupport.park(this);
            }
            return failure;
        }

        @Override
        public void run() {
            long idleSince = System.nanoTime();
            while (owner.isAlive()) {
                Parts w = work;
                if (w == null) {
                    if (System.nanoTime() - idleSince < SPIN_NANOS) {
                        Thread.onSpinWait();
                    } else {
                        // Wakes for new work, and once a second to notice that its caller has died.
                        LockSupport.parkNanos(this, 1_000_000_000L);
                    }
                    continue;
                }
                work = null;
                try {
                    w.run(1, 2);
                } catch (Throwable t) {
                    failure = t;
                }
                done = true;
                LockSupport.unpark(owner);
                idleSince = System.nanoTime();
            }
        }
    }
}
