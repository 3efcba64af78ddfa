package org.dnnc.runtime.cpu;

import com.sun.management.ThreadMXBean;
import java.lang.management.ManagementFactory;

/** What a kernel call allocates on the calling thread, for the tests that hold kernels to none. */
final class Allocations {

    private static final int MEASURED = 100;

    private Allocations() {}

    /**
     * Bytes this thread allocates per run of {@code step}, averaged over 100 runs after {@code
     * warmUps} that let the JIT compile it. The measurement itself may allocate a few bytes; a
     * per-call object would be 16 or more per run.
     */
    static long perRun(Runnable step, int warmUps) {
        for (int i = 0; i < warmUps; i++) {
            step.run();
        }
        ThreadMXBean threads = (ThreadMXBean) ManagementFactory.getThreadMXBean();
        long tid = Thread.currentThread().getId();
        long before = threads.getThreadAllocatedBytes(tid);
        for (int i = 0; i < MEASURED; i++) {
            step.run();
        }
        return (threads.getThreadAllocatedBytes(tid) - before) / MEASURED;
    }
}
