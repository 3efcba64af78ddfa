package org.dnnc.runtime.cuda;

import static com.google.common.truth.Truth.assertThat;

import java.nio.IntBuffer;
import org.dnnc.runtime.cpu.Buf;
import org.dnnc.runtime.cpu.Concat;
import org.dnnc.runtime.cpu.Recurrent;
import org.dnnc.runtime.cpu.RecurrentCell;
import org.dnnc.runtime.cpu.RecurrentGeometry;
import org.dnnc.runtime.cpu.Steps;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The recurrent layers' time loop ({@link CudaRecurrent}), the time-axis moves ({@link
 * CudaSteps}) and bands of rows ({@link CudaConcat}) against their CPU twins {@link Recurrent},
 * {@link Steps} and {@link Concat}, on the same random data: every output, the last states and
 * every gradient.
 */
class SequencesGpuTest extends GpuTestSupport {

    private static final int N = 5;
    private static final int T = 7;
    private static final int I = 6;
    private static final int H = 9;
    /** Lengths of the five examples, with a zero-length one and full ones. */
    private static final int[] LENGTHS = {7, 3, 0, 1, 7};

    /**
     * GEMMs of cuBLAS and OpenBLAS may sum in different orders, and errors grow through the steps:
     * 1e-5 absolute and 1e-4 relative.
     */
    private static void assertNear(String what, Buf cpu, DevBuf gpu) {
        assertClose(what, cpu.toArray(), host(gpu), 1e-5f, 1e-4f);
    }

    @ParameterizedTest
    @EnumSource(RecurrentCell.class)
    void layersMatchTheCpuForwardAndBackward(RecurrentCell cell) {
        for (int variant = 0; variant < 4; variant++) {
            boolean reverse = (variant & 1) != 0;
            boolean sequences = (variant & 2) != 0;
            // Lengths and initial states in half the variants, crossed with the direction.
            boolean withLengths = variant == 1 || variant == 2;
            boolean withState = variant >= 2;
            checkLayer(new RecurrentGeometry(cell, T, I, H, reverse, sequences), withLengths, withState,
                    cell + " reverse=" + reverse + " sequences=" + sequences + " lengths=" + withLengths
                            + " state=" + withState);
        }
    }

    private void checkLayer(RecurrentGeometry g, boolean withLengths, boolean withState, String what) {
        int gh = g.gateRows();
        int outputs = N * (g.sequences() ? T : 1) * H;
        Buf x = Buf.of(uniform(N * T * I, 1));
        Buf wIh = Buf.of(uniform(gh * I, 0.4f));
        Buf wHh = Buf.of(uniform(gh * H, 0.4f));
        Buf bIh = Buf.of(uniform(gh, 0.2f));
        Buf bHh = Buf.of(uniform(gh, 0.2f));
        Buf h0 = withState ? Buf.of(uniform(N * H, 0.5f)) : null;
        Buf c0 = withState ? Buf.of(uniform(N * H, 0.5f)) : null;
        IntBuffer lengths = withLengths ? hostInts(LENGTHS) : null;
        DevBuf dLengths = withLengths ? deviceInts(LENGTHS) : null;
        int ws = (int) Recurrent.workspaceFloats(g, N);

        Buf y = Buf.allocate(outputs);
        Buf workspace = Buf.allocate(ws);
        Recurrent.forward(g, x, lengths, h0, c0, wIh, wHh, bIh, bHh, y, workspace, N);
        DevBuf dx = device(x);
        DevBuf dwIh = device(wIh);
        DevBuf dwHh = device(wHh);
        DevBuf dy = device(outputs);
        DevBuf dWorkspace = device(ws);
        CudaRecurrent.forward(ctx, g, dx, dLengths, withState ? device(h0) : null, withState ? device(c0) : null,
                dwIh, dwHh, device(bIh), device(bHh), dy, dWorkspace, N);
        assertNear(what + ": y", y, dy);

        Buf hLast = Buf.allocate(N * H);
        Buf cLast = Buf.allocate(N * H);
        Recurrent.lastState(g, workspace, N, hLast, cLast);
        DevBuf dhLast = device(N * H);
        DevBuf dcLast = device(N * H);
        CudaRecurrent.lastState(ctx, g, dWorkspace, N, dhLast, dcLast);
        assertNear(what + ": last h", hLast, dhLast);
        if (g.cell() == RecurrentCell.LSTM) {
            assertNear(what + ": last c", cLast, dcLast);
        }

        Buf gradY = Buf.of(uniform(outputs, 1));
        Buf gradLast = Buf.of(uniform(N * H, 1));
        Buf[] cpu = {Buf.allocate(N * T * I), Buf.allocate(gh * I), Buf.allocate(gh * H), Buf.allocate(gh),
            Buf.allocate(gh), Buf.allocate(N * H), Buf.allocate(N * H)};
        Recurrent.backward(g, x, lengths, wIh, wHh, gradY, gradLast, workspace, cpu[0], cpu[1], cpu[2], cpu[3], cpu[4],
                cpu[5], cpu[6], N, false);
        DevBuf[] gpu = new DevBuf[cpu.length];
        for (int k = 0; k < cpu.length; k++) {
            gpu[k] = device(cpu[k].size());
        }
        CudaRecurrent.backward(ctx, g, dx, dLengths, dwIh, dwHh, device(gradY), device(gradLast), dWorkspace, gpu[0],
                gpu[1], gpu[2], gpu[3], gpu[4], gpu[5], gpu[6], N, false);
        String[] names = {"dx", "dW_ih", "dW_hh", "db_ih", "db_hh", "dh0", "dc0"};
        for (int k = 0; k < cpu.length; k++) {
            if (k < 6 || g.cell() == RecurrentCell.LSTM) {
                assertNear(what + ": " + names[k], cpu[k], gpu[k]);
            }
        }

        // accumulate adds to what the gradients hold: a second backward pass over a fresh forward.
        Recurrent.forward(g, x, lengths, h0, c0, wIh, wHh, bIh, bHh, y, workspace, N);
        CudaRecurrent.forward(ctx, g, dx, dLengths, withState ? device(h0) : null, withState ? device(c0) : null,
                dwIh, dwHh, device(bIh), device(bHh), dy, dWorkspace, N);
        Recurrent.backward(g, x, lengths, wIh, wHh, gradY, null, workspace, cpu[0], cpu[1], cpu[2], cpu[3], cpu[4],
                null, null, N, true);
        CudaRecurrent.backward(ctx, g, dx, dLengths, dwIh, dwHh, device(gradY), null, dWorkspace, gpu[0], gpu[1],
                gpu[2], gpu[3], gpu[4], null, null, N, true);
        for (int k = 0; k < 5; k++) {
            assertNear(what + ": accumulated " + names[k], cpu[k], gpu[k]);
        }
    }

    @Test
    void bandsMatchTheCpu() {
        int outer = 6;
        Buf a = Buf.of(uniform(outer * 5, 1));
        Buf b = Buf.of(uniform(outer * 3, 1));
        Buf y = Buf.allocate(outer * 8);
        Concat.place(a, 5, y, 8, 0, outer);
        Concat.place(b, 3, y, 8, 5, outer);
        DevBuf dy = device(outer * 8);
        CudaConcat.place(ctx, device(a), 5, dy, 8, 0, outer);
        CudaConcat.place(ctx, device(b), 3, dy, 8, 5, outer);
        assertClose("concat", y.toArray(), host(dy), 0f, 0f);
        Buf band = Buf.allocate(outer * 4);
        Concat.extract(y, 8, 3, band, 4, outer);
        DevBuf dBand = device(outer * 4);
        CudaConcat.extract(ctx, dy, 8, 3, dBand, 4, outer);
        assertClose("slice", band.toArray(), host(dBand), 0f, 0f);
    }

    @Test
    void stepsMatchTheCpu() {
        int features = 4;
        int[] ids = new int[N * T];
        for (int i = 0; i < ids.length; i++) {
            ids[i] = 3 + i % 11;
        }
        IntBuffer shifted = hostInts(new int[ids.length]);
        Steps.shiftRight(hostInts(ids), shifted, N, T, 1);
        DevBuf dShifted = arenaInts(ids.length);
        CudaSteps.shiftRight(ctx, deviceInts(ids), dShifted, N, T, 1);
        IntBuffer actual = hostInts(new int[ids.length]);
        ctx.download(dShifted, actual);
        int[] expected = new int[ids.length];
        int[] got = new int[ids.length];
        shifted.get(0, expected);
        actual.get(0, got);
        assertThat(got).isEqualTo(expected);

        Buf x = Buf.of(uniform(N * T * features, 1));
        Buf dy = Buf.of(uniform(N * features, 1));
        for (int[] lengths : new int[][] {null, LENGTHS}) {
            IntBuffer hostLengths = lengths == null ? null : hostInts(lengths);
            DevBuf deviceLengths = lengths == null ? null : deviceInts(lengths);
            Buf last = Buf.allocate(N * features);
            Steps.last(x, hostLengths, last, N, T, features);
            DevBuf dLast = device(N * features);
            CudaSteps.last(ctx, device(x), deviceLengths, dLast, N, T, features);
            assertClose("last", last.toArray(), host(dLast), 0f, 0f);
            Buf dx = Buf.allocate(N * T * features);
            Steps.lastBackward(dy, hostLengths, dx, N, T, features);
            DevBuf ddx = device(N * T * features);
            CudaSteps.lastBackward(ctx, device(dy), deviceLengths, ddx, N, T, features);
            assertClose("last's gradient", dx.toArray(), host(ddx), 0f, 0f);
        }
    }
}
