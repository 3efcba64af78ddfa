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
 * with the context (it parks while idle) and stopped by {@link #close()}. With more, the kernels run on the calling
 * thread and OpenBLAS runs that many threads per GEMM; with one or two, OpenBLAS runs one thread.
 * OpenBLAS's count is one setting for the whole process: while any context of one or two threads is
 * entered, on any thread, it stays at one, so that no context's results or thread use change with
 * what other threads run (see {@code BlasThreads}).
 *
 * <p>{@link #enter()} makes this context the calling thread's current one until the returned
 * {@link Scope} is closed; kernels read it from a thread-local, once per call. Outside any scope the
 * kernels run serially and leave OpenBLAS's threads as they are. Scopes nest: entering the current
 * context again only counts, and entering another one makes that one current until its scope is
 * closed, then the previous one again.
 *
 * <p>The context is also the guard of its owner's native memory: a context runs one thread's calls
 * at a time (entering it from a second thread throws), and {@link #close()} from another thread
 * waits until the thread inside leaves. So once {@code close()} returns no thread is inside or can
 * enter, and the owner may free the memory its calls read.
 */
public final class CpuContext implements AutoCloseable {

    private static final AtomicInteger IDS = new AtomicInteger();

    /** What the kernels see outside any scope: serial, no helper. Never entered. */
    private static final CpuContext NONE = new CpuContext(1, "none", null);

    private static final ThreadLocal<CpuContext> CURRENT = ThreadLocal.withInitial(() -> NONE);

    private final int threads;
    private final String name;
    /** What the messages name: the owner (a network) or, without one, this context. */
    private final String owner;
    /** What the in-use exception advises: a network's names the thread-safe way to share it. */
    private final String busyHint;
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
    /** oneDNN's engine and primitives for this context's calls, made on first use; freed by {@link #close()}. */
    private OneDnnCache oneDnn;

    private CpuContext(int threads, String name, String owner) {
        this.threads = threads;
        this.name = name;
        this.owner = owner != null ? owner : toString();
        this.busyHint = owner == null ? "it runs one thread's calls at a time"
                : "an instance runs one thread's calls at a time: give each thread its own instance, or predict"
                        + " from many threads through one Predictor (" + owner + ".predictor(), or " + owner
                        + ".predictor(checkpoint))";
        this.helper = splitThreads() == 2 ? new Workers.Helper(name + "-worker-1", this) : null;
    }

    /**
     * A context of {@code threads} threads: 1 runs every call on the calling thread; 2 splits large
     * calls over the calling thread and a helper, started here (it parks while idle); more run
     * OpenBLAS with that many threads.
     *
     * @throws IllegalArgumentException if {@code threads < 1}
     */
    public static CpuContext create(int threads) {
        return create(threads, null);
    }

    /**
     * As {@link #create(int)}, for {@code owner}, which the exceptions of {@link #enter()} and
     * {@link #close()} name ({@code "FashionMlp is closed"}); {@code null} names the context.
     *
     * @throws IllegalArgumentException if {@code threads < 1}
     */
    public static CpuContext create(int threads, String owner) {
        if (threads < 1) {
            throw new IllegalArgumentException("a CpuContext needs at least 1 thread, got " + threads);
        }
        return new CpuContext(threads, "dnnc-cpu-" + IDS.incrementAndGet(), owner);
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
     * Closes the context: entering it afterwards throws. If another thread is inside a scope of it,
     * waits until that thread leaves (uninterruptibly: the caller frees memory the scope may still
     * read, so returning early is never safe; an interrupt is kept for the caller), then stops the
     * helper thread. Closing it again only waits in the same way, so that every close returns with
     * no thread inside.
     *
     * @throws IllegalStateException if the calling thread is inside a scope of this context (it
     *     would wait for itself); the context stays open
     */
    @Override
    public void close() {
        boolean interrupted = false;
        synchronized (lock) {
            if (holder == Thread.currentThread()) {
                throw new IllegalStateException(owner + " cannot be closed inside one of its own calls, on thread "
                        + holder.getName() + "; close it after the call returns");
            }
            boolean first = !closed;
            closed = true;
            while (holder != null) {
                try {
                    lock.wait();
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
            if (first) {
                stopHelper();
                if (oneDnn != null) {
                    oneDnn.close();
                    oneDnn = null;
                }
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
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

    /**
     * This context's oneDNN primitives, made on first use by the thread that has entered it; {@code
     * null} outside any entered context, whose state threads would share.
     */
    OneDnnCache oneDnn() {
        if (this == NONE) {
            return null;
        }
        if (oneDnn == null) {
            oneDnn = new OneDnnCache();
        }
        return oneDnn;
    }

    /** Threads the kernels split a call over: 2 for a two-thread context, else 1. */
    int splitThreads() {
        return threads == Workers.MAX_THREADS ? Workers.MAX_THREADS : 1;
    }

    /** Threads OpenBLAS runs: this context's count above {@link Workers#MAX_THREADS}, else 1. */
    private int blasThreads() {
        return threads > Workers.MAX_THREADS ? threads : 1;
    }

    /** Parks this context's helper if it is spinning ({@link Workers.Helper#rest}). */
    void restHelper() {
        if (helper != null) {
            helper.rest();
        }
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
                throw new IllegalStateException(owner + " is closed");
            }
            if (holder == Thread.currentThread()) {
                throw new IllegalStateException(this + " is already entered on this thread, outside the scope of "
                        + CURRENT.get() + ", and cannot be entered again inside it");
            }
            if (holder != null) {
                throw new IllegalStateException(owner + " is in use by thread " + holder.getName()
                        + "; " + busyHint);
            }
            holder = Thread.currentThread();
        }
    }

    private void release() {
        synchronized (lock) {
            holder = null;
            lock.notifyAll(); // a close() may be waiting
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
