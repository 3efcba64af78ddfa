package org.dnnc.runtime.cpu;

import java.lang.ref.WeakReference;
import java.util.concurrent.locks.LockSupport;

/**
 * How many threads the CPU kernels split their work over, and the helper threads that do it: both
 * come from the {@link CpuContext} entered on the calling thread.
 *
 * <p>In a context of two threads, the calling thread runs one half of a large call and the
 * context's helper thread the other: {@link Conv2d} splits the batch (each half with its own GEMMs
 * and its own part of the scratch view, {@link Conv2d#scratchFloats(ConvGeometry, int)}; the weight
 * gradient's partial sums are added at the end), {@link Dense} splits the batch for its forward
 * pass and input gradient and the output rows for its weight gradient, {@link Recurrent} splits the
 * batch for its whole pass through time (one hand-over per call, not per step) and the gate rows for
 * its weight gradients, and {@link Optimizers#adam} splits the parameters. OpenBLAS then runs one thread (the context sees to it): the two are
 * alternatives. On two idle cores (the {@code CnnKernelBench} Fashion-MNIST CNN, batch 64) the
 * split made each convolution call about 1.7x faster and the training step 1.3x faster (45.8 to
 * 35.4 ms), where two OpenBLAS threads per GEMM gained nothing (45.4 ms), and beside other busy
 * processes often lost a lot (75 to 180 ms). Unlike OpenBLAS's workers, which spin for a long
 * time, the helper spins for at most 50 microseconds after a call and then parks, and the
 * caller parks while it waits, so a busy core costs at most the serial time plus a context switch.
 *
 * <p>Outside any context, and in contexts of one thread or of more than two (which give their
 * threads to OpenBLAS instead), every call runs on the calling thread. Each context has its own
 * helper, a daemon thread started with the context and stopped when the context is closed
 * (or about a second after it is collected unclosed), so that networks share none. Part 1 of a
 * call runs on the helper outside any context, so a kernel called there does not split again. A
 * kernel finds its context with a thread-local read, and a call hands its work over through fields
 * of preallocated objects: nothing is allocated per call.
 */
public final class Workers {

    /** The most threads a batch is split over. */
    public static final int MAX_THREADS = 2;

    /**
     * How long an idle helper spins before it parks. The calls of one training step come tens of
     * microseconds apart, and waking a parked thread takes about as long; spinning longer than this
     * would take a core from the JIT compiler or another process while the caller runs serial code.
     */
    private static final long SPIN_NANOS = 50_000L;

    private Workers() {}

    /**
     * How many threads the kernels split large calls over in the context entered on this thread:
     * 1 or 2, and 1 outside any context.
     */
    public static int threads() {
        return CpuContext.current().splitThreads();
    }

    /** Work split in parts: part 0 runs on the caller, part 1 on its helper. */
    interface Parts {
        void run(int part, int parts);
    }

    /**
     * Runs {@code work.run(p, 2)} for {@code p = 0, 1} on the caller and the current context's
     * helper, and waits for both; without a helper (see {@link #threads()}) both on the caller.
     */
    static void runTwo(Parts work) {
        CpuContext.current().runTwo(work);
    }

    /** One context's helper thread: runs part 1 of whatever its caller hands it. */
    static final class Helper implements Runnable {
        /** Weak, so that a context dropped without being closed does not keep its helper running. */
        private final WeakReference<CpuContext> context;
        private final Thread thread;
        private volatile boolean stopped;
        private volatile Parts work;
        private volatile boolean done = true;
        /** Set by {@link #rest}: park at once instead of spinning, until the next call hands work over. */
        private volatile boolean resting;
        private Thread caller;
        private Throwable failure;

        Helper(String name, CpuContext context) {
            this.context = new WeakReference<>(context);
            // Started here rather than on first use: a first-use branch in runTwo, taken by each new
            // context, trapped out of the compiled kernels that inline it (see Buf's pointer).
            thread = new Thread(this, name);
            thread.setDaemon(true);
            thread.start();
        }

        /** As {@link Workers#runTwo}; called by one thread at a time, the one that entered the context. */
        void runTwo(Parts w) {
            resting = false;
            caller = Thread.currentThread();
            failure = null;
            done = false;
            work = w;
            LockSupport.unpark(thread);
            Throwable mine = null;
            try {
                w.run(0, 2);
            } catch (Throwable t) {
                mine = t;
            }
            Throwable theirs = await();
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

        /**
         * Parks the helper now if it is spinning: before a call into a library with threads of its
         * own (oneDNN's OpenMP team), which would otherwise share the cores with its spin.
         */
        void rest() {
            resting = true;
        }

        /** Lets the thread end once it is idle; no work may be handed over after this. */
        void stop() {
            stopped = true;
            LockSupport.unpark(thread);
        }

        private Throwable await() {
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
            // Wakes for new work, when stopped, and once a second to notice a dropped context. The
            // exit, taken once, lies out here: a branch never taken before traps out of compiled
            // code, and that of serve, which every context's helper runs, must stay.
            while (serve()) {
                LockSupport.parkNanos(this, 1_000_000_000L);
            }
        }

        /**
         * Runs the work handed over and spins between calls; returns when idle for {@link
         * #SPIN_NANOS} or resting, {@code false} when the helper is to end.
         */
        private boolean serve() {
            long idleSince = System.nanoTime();
            while (true) {
                Parts w = work;
                if (w != null) {
                    work = null;
                    Thread c = caller;
                    try {
                        w.run(1, 2);
                    } catch (Throwable t) {
                        failure = t;
                    }
                    done = true;
                    LockSupport.unpark(c);
                    idleSince = System.nanoTime();
                } else if (!resting && System.nanoTime() - idleSince < SPIN_NANOS) {
                    Thread.onSpinWait();
                } else {
                    return !stopped && context.get() != null;
                }
            }
        }
    }
}
