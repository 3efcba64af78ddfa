package org.dnnc.runtime.cuda;

import java.nio.IntBuffer;
import org.dnnc.runtime.cpu.AttentionDecoder;
import org.dnnc.runtime.cpu.Buf;
import org.dnnc.runtime.cpu.DecoderGeometry;
import org.junit.jupiter.api.Test;

/**
 * {@link CudaAttentionDecoder} against its CPU twin {@link AttentionDecoder}, with and without
 * value lengths (one of them zero) and an initial state: the outputs, the weights and every
 * gradient, overwritten and then accumulated.
 */
class AttentionDecoderGpuTest extends GpuTestSupport {

    private static final int N = 4;
    private static final int[] LENGTHS = {7, 3, 0, 1};

    /** GEMMs of cuBLAS and OpenBLAS may sum in different orders, and errors grow through the steps. */
    private static void assertNear(String what, Buf cpu, DevBuf gpu) {
        assertClose(what, cpu.toArray(), host(gpu), 1e-5f, 1e-4f);
    }

    @Test
    void forwardAndBackwardMatchTheCpu() {
        DecoderGeometry g = new DecoderGeometry(6, 5, 11, 7, 9, 8);
        for (boolean withLengths : new boolean[] {false, true}) {
            check(g, withLengths, "lengths=" + withLengths);
        }
    }

    private void check(DecoderGeometry g, boolean withLengths, String what) {
        int s = g.steps();
        int t = g.valueSteps();
        int gh = g.gateRows();
        int ihCols = g.inputSize() + g.valueFeatures();
        int wCols = g.hidden() + g.valueFeatures();
        Buf x = Buf.of(uniform(N * s * g.inputSize(), 1));
        Buf values = Buf.of(uniform(N * t * g.valueFeatures(), 1));
        Buf h0 = Buf.of(uniform(N * g.hidden(), 0.5f));
        Buf wIh = Buf.of(uniform(gh * ihCols, 0.3f));
        Buf wHh = Buf.of(uniform(gh * g.hidden(), 0.3f));
        Buf bIh = Buf.of(uniform(gh, 0.2f));
        Buf bHh = Buf.of(uniform(gh, 0.2f));
        Buf w = Buf.of(uniform(g.units() * wCols, 0.3f));
        Buf v = Buf.of(uniform(g.units(), 0.5f));
        IntBuffer lengths = withLengths ? hostInts(LENGTHS) : null;
        DevBuf dLengths = withLengths ? deviceInts(LENGTHS) : null;
        int ws = (int) AttentionDecoder.workspaceFloats(g, N);

        Buf y = Buf.allocate(N * s * g.outputSize());
        Buf weights = Buf.allocate(N * s * t);
        Buf workspace = Buf.allocate(ws);
        AttentionDecoder.forward(g, x, values, lengths, h0, wIh, wHh, bIh, bHh, w, v, y, weights, workspace, N);
        DevBuf[] in = {device(x), device(values), device(wIh), device(wHh), device(w), device(v)};
        DevBuf dy = device(y.size());
        DevBuf dWeights = device(weights.size());
        DevBuf dWorkspace = device(ws);
        CudaAttentionDecoder.forward(ctx, g, in[0], in[1], dLengths, device(h0), in[2], in[3], device(bIh), device(bHh),
                in[4], in[5], dy, dWeights, dWorkspace, N);
        assertNear(what + ": y", y, dy);
        assertNear(what + ": weights", weights, dWeights);

        Buf gradY = Buf.of(uniform(y.size(), 1));
        Buf[] cpu = {Buf.allocate(x.size()), Buf.allocate(values.size()), Buf.allocate(wIh.size()),
            Buf.allocate(wHh.size()), Buf.allocate(gh), Buf.allocate(gh), Buf.allocate(w.size()),
            Buf.allocate(v.size()), Buf.allocate(h0.size())};
        DevBuf[] gpu = new DevBuf[cpu.length];
        for (int k = 0; k < cpu.length; k++) {
            gpu[k] = device(cpu[k].size());
        }
        String[] names = {"dx", "dValues", "dW_ih", "dW_hh", "db_ih", "db_hh", "dW", "dv", "dh0"};
        for (boolean accumulate : new boolean[] {false, true}) {
            if (accumulate) {
                AttentionDecoder.forward(g, x, values, lengths, h0, wIh, wHh, bIh, bHh, w, v, null, null, workspace,
                        N);
                CudaAttentionDecoder.forward(ctx, g, in[0], in[1], dLengths, device(h0), in[2], in[3], device(bIh),
                        device(bHh), in[4], in[5], null, null, dWorkspace, N);
            }
            AttentionDecoder.backward(g, x, values, lengths, wIh, wHh, w, v, gradY, workspace, cpu[0], cpu[1], cpu[2],
                    cpu[3], cpu[4], cpu[5], cpu[6], cpu[7], cpu[8], N, accumulate);
            CudaAttentionDecoder.backward(ctx, g, in[0], in[1], dLengths, in[2], in[3], in[4], in[5], device(gradY),
                    dWorkspace, gpu[0], gpu[1], gpu[2], gpu[3], gpu[4], gpu[5], gpu[6], gpu[7], gpu[8], N, accumulate);
            for (int k = 0; k < cpu.length; k++) {
                assertNear(what + " accumulate=" + accumulate + ": " + names[k], cpu[k], gpu[k]);
            }
        }
    }
}
