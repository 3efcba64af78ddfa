package org.dnnc.runtime.cuda;

import static org.bytedeco.cuda.global.cudart.cudaGraphDestroy;
import static org.bytedeco.cuda.global.cudart.cudaGraphExecDestroy;
import static org.bytedeco.cuda.global.cudart.cudaGraphInstantiate;
import static org.bytedeco.cuda.global.cudart.cudaGraphLaunch;
import static org.bytedeco.cuda.global.cudart.cudaStreamBeginCapture;
import static org.bytedeco.cuda.global.cudart.cudaStreamCaptureModeThreadLocal;
import static org.bytedeco.cuda.global.cudart.cudaStreamEndCapture;

import org.bytedeco.cuda.cudart.CUgraphExec_st;
import org.bytedeco.cuda.cudart.CUgraph_st;

/**
 * A stream's work recorded once and replayed with one call: a whole training step or inference
 * pass becomes a single launch, which removes the per-kernel launch cost that dominates small
 * networks.
 *
 * <p>{@link #capture} runs {@code work} with the context's stream in capture mode: the kernels,
 * GEMMs and device-to-device copies it queues are recorded, not run. Capture only work whose
 * addresses and sizes stay fixed (views carved at build time) and that does not touch the host:
 * run the work once uncaptured first, so that every kernel is compiled and loaded and cuBLAS has
 * its workspace, and keep host copies and {@link CudaContext#synchronize()} out of it (CUDA refuses
 * them during capture, and the capture then fails with that error).
 */
public final class CudaGraph implements AutoCloseable {

    private final CudaContext ctx;
    private final CUgraph_st graph;
    private final CUgraphExec_st exec;
    private boolean closed;

    private CudaGraph(CudaContext ctx, CUgraph_st graph, CUgraphExec_st exec) {
        this.ctx = ctx;
        this.graph = graph;
        this.exec = exec;
    }

    /**
     * Records what {@code work} queues on {@code ctx}'s stream and instantiates it.
     *
     * @throws CudaException if the capture or instantiation fails (the stream is left usable)
     */
    public static CudaGraph capture(CudaContext ctx, Runnable work) {
        Check.cuda(cudaStreamBeginCapture(ctx.stream(), cudaStreamCaptureModeThreadLocal), "cudaStreamBeginCapture");
        CUgraph_st graph = new CUgraph_st();
        try {
            work.run();
        } catch (RuntimeException | Error e) {
            // End the capture so that the stream works again; the partial graph is discarded.
            if (cudaStreamEndCapture(ctx.stream(), graph) == 0 && !graph.isNull()) {
                cudaGraphDestroy(graph);
            }
            throw e;
        }
        Check.cuda(cudaStreamEndCapture(ctx.stream(), graph), "cudaStreamEndCapture");
        CUgraphExec_st exec = new CUgraphExec_st();
        int status = cudaGraphInstantiate(exec, graph, 0L);
        if (status != 0) {
            cudaGraphDestroy(graph);
            Check.cuda(status, "cudaGraphInstantiate");
        }
        return new CudaGraph(ctx, graph, exec);
    }

    /** Queues one replay of the recorded work on the context's stream. */
    public void launch() {
        if (closed) {
            throw new IllegalStateException("the CUDA graph is closed");
        }
        Check.cuda(cudaGraphLaunch(exec, ctx.stream()), "cudaGraphLaunch");
    }

    /** Frees the graph (idempotent); queued replays still complete. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        cudaGraphExecDestroy(exec);
        cudaGraphDestroy(graph);
    }
}
