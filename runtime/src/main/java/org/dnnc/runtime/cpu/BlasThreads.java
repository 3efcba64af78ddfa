package org.dnnc.runtime.cpu;

import org.bytedeco.openblas.global.openblas_nolapack;

/**
 * OpenBLAS's thread count, which is one setting for the whole process, as the {@link CpuContext}s
 * entered on every thread ask for it.
 *
 * <p>More OpenBLAS threads only pay when the cores are otherwise idle. OpenBLAS's workers hand off
 * by spinning and yielding, so when another busy thread or process shares the cores every GEMM can
 * wait a whole scheduler slice: on a 2-core machine the 784-256-128-10 training step went from 1.1
 * ms with 2 threads (idle) to 20-90 ms with 2 threads beside another busy process, while 1 thread
 * stayed at 1.5 ms. And OpenBLAS's results change in the last bits with its thread count.
 *
 * <p>Hence the rule: while any context of at most {@link Workers#MAX_THREADS} threads is entered,
 * on any thread, OpenBLAS runs one thread. Those contexts split their calls themselves ({@link
 * Workers}), so a context entered on another thread can change neither their results nor the
 * threads they use. A context of more threads sets its count when it is entered and no such
 * context is; if one is, its GEMMs run on one thread until it is entered again (slower, never
 * oversubscribed). Two contexts of different counts above two, entered at once, share the count
 * set last. Each change is one native call, made only when the count differs from the last one
 * set here; other code that sets OpenBLAS's threads directly goes unnoticed.
 */
final class BlasThreads {

    private static final Object LOCK = new Object();

    /** Entered contexts that need OpenBLAS at one thread; guarded by {@link #LOCK}. */
    private static int oneThreadScopes;

    /** The count last set here, 0 before the first; guarded by {@link #LOCK}. */
    private static int current;

    private BlasThreads() {}

    /** A context that splits its own calls is entered: OpenBLAS runs one thread until it leaves. */
    static void enterOneThread() {
        synchronized (LOCK) {
            set(1);
            oneThreadScopes++;
        }
    }

    /** The context that {@link #enterOneThread} counted leaves. */
    static void leaveOneThread() {
        synchronized (LOCK) {
            oneThreadScopes--;
        }
    }

    /** A context of {@code threads > 2} becomes current: OpenBLAS runs that many unless one needs one thread. */
    static void request(int threads) {
        synchronized (LOCK) {
            if (oneThreadScopes == 0) {
                set(threads);
            }
        }
    }

    private static void set(int threads) {
        if (threads != current) {
            Blas.ensureLoaded();
            openblas_nolapack.blas_set_num_threads(threads);
            current = threads;
        }
    }
}
