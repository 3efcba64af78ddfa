package org.dnnc.runtime.cuda;

import java.nio.IntBuffer;
import org.dnnc.runtime.cpu.Attention;
import org.dnnc.runtime.cpu.AttentionGeometry;
import org.dnnc.runtime.cpu.Buf;
import org.junit.jupiter.api.Test;

/**
 * {@link CudaAttention} against its CPU twin {@link Attention}: one query and several, with and
 * without lengths (one of them zero), the context, the weights and every gradient.
 */
class AttentionGpuTest extends GpuTestSupport {

    private static final int N = 4;
    private static final int T = 9;
    private static final int DQ = 6;
    private static final int DV = 40;
    private static final int UNITS = 37;
    private static final int[] LENGTHS = {9, 4, 0, 1};

    /** GEMMs of cuBLAS and OpenBLAS may sum in different orders: 1e-5 absolute and 1e-4 relative. */
    private static void assertNear(String what, Buf cpu, DevBuf gpu) {
        assertClose(what, cpu.toArray(), host(gpu), 1e-5f, 1e-4f);
    }

    @Test
    void forwardAndBackwardMatchTheCpu() {
        for (int queries : new int[] {1, 3}) {
            for (boolean withLengths : new boolean[] {false, true}) {
                check(new AttentionGeometry(queries, T, DQ, DV, UNITS), withLengths,
                        "queries=" + queries + " lengths=" + withLengths);
            }
        }
    }

    private void check(AttentionGeometry g, boolean withLengths, String what) {
        int queries = g.queries();
        Buf query = Buf.of(uniform(N * queries * DQ, 1));
        Buf values = Buf.of(uniform(N * T * DV, 1));
        Buf w = Buf.of(uniform(UNITS * g.weightColumns(), 0.3f));
        Buf v = Buf.of(uniform(UNITS, 0.5f));
        IntBuffer lengths = withLengths ? hostInts(LENGTHS) : null;
        DevBuf dLengths = withLengths ? deviceInts(LENGTHS) : null;
        int ws = (int) Attention.workspaceFloats(g, N);

        Buf context = Buf.allocate(N * queries * DV);
        Buf weights = Buf.allocate(N * queries * T);
        Buf workspace = Buf.allocate(ws);
        Attention.forward(g, query, values, lengths, w, v, context, weights, workspace, N);
        DevBuf dQuery = device(query);
        DevBuf dValues = device(values);
        DevBuf dW = device(w);
        DevBuf dV = device(v);
        DevBuf dContext = device(context.size());
        DevBuf dWeights = device(weights.size());
        DevBuf dWorkspace = device(ws);
        CudaAttention.forward(ctx, g, dQuery, dValues, dLengths, dW, dV, dContext, dWeights, dWorkspace, N);
        assertNear(what + ": context", context, dContext);
        assertNear(what + ": weights", weights, dWeights);

        Buf gradContext = Buf.of(uniform(context.size(), 1));
        Buf[] cpu = {Buf.allocate(query.size()), Buf.allocate(values.size()), Buf.allocate(w.size()),
            Buf.allocate(UNITS)};
        Attention.backward(g, query, values, lengths, w, v, gradContext, workspace, cpu[0], cpu[1], cpu[2], cpu[3], N,
                false);
        DevBuf[] gpu = new DevBuf[cpu.length];
        for (int k = 0; k < cpu.length; k++) {
            gpu[k] = device(cpu[k].size());
        }
        CudaAttention.backward(ctx, g, dQuery, dValues, dLengths, dW, dV, device(gradContext), dWorkspace, gpu[0],
                gpu[1], gpu[2], gpu[3], N, false);
        String[] names = {"dQuery", "dValues", "dW", "dv"};
        for (int k = 0; k < cpu.length; k++) {
            assertNear(what + ": " + names[k], cpu[k], gpu[k]);
        }

        // accumulate: the weights-only forward of attention_weights, then a second backward adding.
        Attention.forward(g, query, values, lengths, w, v, null, weights, workspace, N);
        CudaAttention.forward(ctx, g, dQuery, dValues, dLengths, dW, dV, null, dWeights, dWorkspace, N);
        assertNear(what + ": weights alone", weights, dWeights);
        Attention.backward(g, query, values, lengths, w, v, gradContext, workspace, cpu[0], cpu[1], cpu[2], cpu[3], N,
                true);
        CudaAttention.backward(ctx, g, dQuery, dValues, dLengths, dW, dV, device(gradContext), dWorkspace, gpu[0],
                gpu[1], gpu[2], gpu[3], N, true);
        for (int k = 0; k < cpu.length; k++) {
            assertNear(what + ": accumulated " + names[k], cpu[k], gpu[k]);
        }
    }
}
