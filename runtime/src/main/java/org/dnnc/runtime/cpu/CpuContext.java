package org.dnnc.runtime.cpu;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * The threads that one network's CPU kernels run on. Each network instance owns one, so that
 * networks with different thread counts in one process do not change each other's.
 *
 * <pre>{@code
 * CpuContext context = CpuContext.create(threads);     // when the network is built
 * try (CpuContext.Scope scope = context.enter()) {      // around each step
 *     Conv2d.forward(...);                              // kernels find the context themselves
 * }
 * context.close();                                     // when the network is closed
 * }</pre>
 *
 * <p>With 1 thread every call runs on the calling thread. With 2 ({@link Workers#MAX_THREADS}) the
 * kernels split large calls between the calling thread and the context's helper thread ({@link
 * Workers}), which the context owns: a daemon thread named {@code dnnc-cpu-<id>-worker-1}, started
 * on the first split call and stopped by {@link #close()}. With more, the kernels run on the calling
 * thread and OpenBLAS runs that many threads per GEMM; with one or two, OpenBLAS runs one thread.
 * OpenBLAS's count is one setting for the whole process: while any context of one or two threads is
 * entered, on any thread, it stays at one, so that no context's results or thread use change with
 * what other threads run (see {@code BlasThreads}).
 *
 * <p>{@link #enter()} makes this context the calling thread's current one until the returned
 * {@link Scope} is closed; kernels read it from a thread-local, once per call. Outside any scope the
 * kernels run serially and leave OpenBLAS's threads as they are. Scopes nest: entering the current
 * context again only counts, and entering another one makes that one current until its scope is
 * closed, then the previous one again. A context runs one thread's steps at a time. {@link #close()}
 * may come from any thread; if a thread is inside a scope of the context, the helper stops when
 * that scope is closed.
 */
public final class CpuContext implements AutoCloseable {

    private static final AtomicInteger IDS = new AtomicInteger();

    /** What the kernels see outside any scope: serial, no helper. Never entered. */
    private static final CpuContext NONE = new CpuContext(1, "none");

    private static final ThreadLocal<CpuContext> CURRENT = ThreadLocal.withInitial(() -> NONE);

    private final int threads;
    private final String name;
    /** The helper thread's state, for a context that splits calls; {@code null} otherwise. */
    private final Workers.Helper helper;
    /** The one scope object, handed out by every {@link #enter()} so that entering allocates nothing. */
    private final Scope scope = new Scope();
    private final Object lock = new Object();

    /** The thread that has entered this context, or {@code null}; guarded by {@link #lock}. */
    private Thread holder;
    /** Guarded by {@link #lock}. */
    private boolean closed;

    // Touched only by the holder.
    private int depth;
    private CpuContext previous;

    private CpuContext(int threads, String name) {
        this.threads = threads;
        this.name = name;
        this.helper = splitThreads() == 2 ? new Workers.Helper(name + "-worker-1", this) : null;
    }

    /**
     * A context of {@code threads} threads: 1 runs every call on the calling thread; 2 splits large
     * calls over the calling thread and a helper; more run OpenBLAS with that many threads. Starts
     * no thread yet.
     *
     * @throws IllegalArgumentException if {@code threads < 1}
     */
    public static CpuContext create(int threads) {
        if (threads < 1) {
            throw new IllegalArgumentException("a CpuContext needs at least 1 thread, got " + threads);
        }
        return new CpuContext(threads, "dnnc-cpu-" + IDS.incrementAndGet());
    }

    /** The thread count this context was created with. */
    public int threads() {
        return threads;
    }

    /**
     * Makes this context the calling thread's current one, and sets OpenBLAS's threads for it,
     * until the returned scope is closed (in a try-with-resources block). Allocates nothing.
     *
     * @throws IllegalStateException if the context is closed, if another thread has entered it,
     *     or if this thread entered it outside the current context's scope (scopes of two contexts
     *     cannot interleave); or if OpenBLAS cannot be loaded
     */
    public Scope enter() {
        CpuContext current = CURRENT.get();
        if (current == this) {
            depth++;
            return scope;
        }
        claim();
        try {
            if (blasThreads() == 1) {
                BlasThreads.enterOneThread();
            } else {
                BlasThreads.request(blasThreads());
            }
        } catch (RuntimeException | Error e) {
            release();
            throw e;
        }
        previous = current;
        CURRENT.set(this);
        return scope;
    }

    /**
     * Stops the helper thread, at once or, if a thread is inside a scope of this context, when it
     * leaves. Entering the context afterwards throws; closing it again does nothing.
     */
    @Override
    public void close() {
        synchronized (lock) {
            if (closed) {
                return;
            }
            closed = true;
            if (holder == null) {
                stopHelper();
            }
        }
    }

    @Override
    public String toString() {
        if (this == NONE) {
            return "no CpuContext";
        }
        return "CpuContext " + name + " (" + threads + (threads == 1 ? " thread)" : " threads)");
    }

    /** The context entered on this thread, or a serial one outside any scope. */
    static CpuContext current() {
        return CURRENT.get();
    }

    /** Threads the kernels split a call over: 2 for a two-thread context, else 1. */
    int splitThreads() {
        return threads == Workers.MAX_THREADS ? Workers.MAX_THREADS : 1;
    }

    /** Threads OpenBLAS runs: this context's count above {@link Workers#MAX_THREADS}, else 1. */
    private int blasThreads() {
        return threads > Workers.MAX_THREADS ? threads : 1;
    }

    /** {@link Workers#runTwo}: both parts on the caller when this context has no helper. */
    void runTwo(Workers.Parts work) {
        if (helper == null) {
            work.run(0, 2);
            work.run(1, 2);
        } else {
            helper.runTwo(work);
        }
    }

    private void claim() {
        synchronized (lock) {
            if (closed) {
                throw new IllegalStateException(this + " is closed");
            }
            if (holder == Thread.currentThread()) {
                throw new IllegalStateException(this + " is already entered on this thread, outside the scope of "
                        + CURRENT.get() + ", and cannot be entered again inside it");
            }
            if (holder != null) {
                throw new IllegalStateException(this + " is in use by thread " + holder.getName()
                        + "; a context runs one thread's steps at a time");
            }
            holder = Thread.currentThread();
        }
    }

    private void release() {
        synchronized (lock) {
            holder = null;
            if (closed) {
                stopHelper();
            }
        }
    }

    private void stopHelper() {
        if (helper != null) {
            helper.stop();
        }
    }

    private void exit() {
        if (CURRENT.get() != this) {
            throw new IllegalStateException("a scope of " + this + " is closed while "
                    + CURRENT.get() + " is current: scopes must close in the reverse order of entering, once");
        }
        if (depth > 0) {
            depth--;
            return;
        }
        CpuContext restored = previous;
        previous = null;
        CURRENT.set(restored);
        if (blasThreads() == 1) {
            BlasThreads.leaveOneThread();
        }
        if (restored.blasThreads() > 1) {
            BlasThreads.request(restored.blasThreads());
        }
        release();
    }

    /** The time a context is its thread's current one: close it (once) to leave. */
    public final class Scope implements AutoCloseable {

        private Scope() {}

        /**
         * Leaves the context: the one current before {@link #enter()} is current again.
         *
         * @throws IllegalStateException if this is not the innermost open scope of this thread
         */
        @Override
        public void close() {
            exit();
        }
    }
}
