package org.dnnc.runtime.cuda;

/**
 * Work that a generated class repeats with the same views and sizes (a full batch's training
 * step, an inference pass): run directly the first time, which compiles and loads its kernels and
 * gives cuBLAS its workspace, then captured as a {@link CudaGraph} on the second and replayed from
 * then on, so that a step is one launch.
 */
public final class CapturedWork implements AutoCloseable {

    private final CudaContext ctx;
    private final Runnable work;
    private boolean warm;
    private CudaGraph graph;

    /** {@code work} queues kernels on {@code ctx}'s stream only: no host copies, no synchronization. */
    public CapturedWork(CudaContext ctx, Runnable work) {
        this.ctx = ctx;
        this.work = work;
    }

    /** Queues the work once: directly on the first call, captured on the second, replayed afterwards. */
    public void run() {
        if (ctx.recording()) {
            // Nothing runs, so nothing is captured: the work's launches go to the recording each time,
            // marked as one graph's.
            ctx.record("graph");
            work.run();
            ctx.record("graph end");
        } else if (graph != null) {
            graph.launch();
        } else if (!warm) {
            work.run();
            warm = true;
        } else {
            graph = CudaGraph.capture(ctx, work);
            graph.launch();
        }
    }

    /** Whether the work is now replayed from a graph. */
    public boolean captured() {
        return graph != null;
    }

    /** Frees the graph, if captured (idempotent). */
    @Override
    public void close() {
        if (graph != null) {
            graph.close();
        }
    }
}
