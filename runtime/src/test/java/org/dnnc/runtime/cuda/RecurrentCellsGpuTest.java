package org.dnnc.runtime.cuda;

import org.dnnc.runtime.cpu.Buf;
import org.dnnc.runtime.cpu.CellTwins;
import org.dnnc.runtime.cuda.CudaRecurrentCells.Rows;
import org.junit.jupiter.api.Test;

/**
 * The recurrent cells against their CPU twins, on a workspace of {@code BATCH} examples, each a
 * block of rows at fixed offsets: the CPU cell runs per example, the device cell once with the
 * block size as every row's stride.
 */
class RecurrentCellsGpuTest extends GpuTestSupport {

    private static final int BATCH = 5;
    private static final int H = 37;

    private Rows rows(DevBuf w, int offset, int block) {
        return new Rows(w.slice(offset, w.size() - offset), block);
    }

    @Test
    void rnnCellMatchesTheCpu() {
        for (boolean relu : new boolean[] {false, true}) {
            // Per example: xg, hg, act, hCur, dh, dxg, each H.
            int block = 6 * H;
            Buf w = Buf.of(uniform(BATCH * block, 2));
            Buf bHh = Buf.of(uniform(H, 1));
            DevBuf dw = device(w);
            for (int b = 0; b < BATCH; b++) {
                int o = b * block;
                CellTwins.rnnForward(w, bHh, H, relu, o, o + H, o + 2 * H, o + 3 * H);
                CellTwins.rnnBackward(w, H, relu, o + 2 * H, o + 4 * H, o + 5 * H);
            }
            CudaRecurrentCells.rnnForward(ctx, rows(dw, 0, block), rows(dw, H, block), device(bHh), rows(dw, 2 * H, block),
                    rows(dw, 3 * H, block), BATCH, H, relu);
            CudaRecurrentCells.rnnBackward(ctx, rows(dw, 2 * H, block), rows(dw, 4 * H, block), rows(dw, 5 * H, block),
                    BATCH, H, relu);
            assertClose("rnn workspace relu=" + relu, w, dw);
        }
    }

    @Test
    void lstmCellMatchesTheCpu() {
        // Per example: xg 4H, hg 4H, act 4H, cPrev, cCur, hCur, dh, dc (H each), dxg 4H.
        int block = 21 * H;
        Buf w = Buf.of(uniform(BATCH * block, 2));
        Buf bHh = Buf.of(uniform(4 * H, 1));
        DevBuf dw = device(w);
        for (int b = 0; b < BATCH; b++) {
            int o = b * block;
            CellTwins.lstmForward(w, bHh, H, o, o + 4 * H, o + 8 * H, o + 12 * H, o + 13 * H, o + 14 * H);
            CellTwins.lstmBackward(w, H, o + 8 * H, o + 12 * H, o + 13 * H, o + 15 * H, o + 16 * H, o + 17 * H);
        }
        CudaRecurrentCells.lstmForward(ctx, rows(dw, 0, block), rows(dw, 4 * H, block), device(bHh), rows(dw, 8 * H, block),
                rows(dw, 12 * H, block), rows(dw, 13 * H, block), rows(dw, 14 * H, block), BATCH, H);
        CudaRecurrentCells.lstmBackward(ctx, rows(dw, 8 * H, block), rows(dw, 12 * H, block), rows(dw, 13 * H, block),
                rows(dw, 15 * H, block), rows(dw, 16 * H, block), rows(dw, 17 * H, block), BATCH, H);
        assertClose("lstm workspace", w, dw);
    }

    @Test
    void gruCellMatchesTheCpu() {
        // Per example: xg 3H, hg 3H, act 3H, hn, hPrev, hCur, dh (H each), dxg 3H.
        int block = 16 * H;
        Buf w = Buf.of(uniform(BATCH * block, 2));
        Buf bHh = Buf.of(uniform(3 * H, 1));
        DevBuf dw = device(w);
        for (int b = 0; b < BATCH; b++) {
            int o = b * block;
            CellTwins.gruForward(w, bHh, H, o, o + 3 * H, o + 6 * H, o + 9 * H, o + 10 * H, o + 11 * H);
            CellTwins.gruBackward(w, H, o + 6 * H, o + 9 * H, o + 10 * H, o + 12 * H, o + 13 * H);
        }
        CudaRecurrentCells.gruForward(ctx, rows(dw, 0, block), rows(dw, 3 * H, block), device(bHh), rows(dw, 6 * H, block),
                rows(dw, 9 * H, block), rows(dw, 10 * H, block), rows(dw, 11 * H, block), BATCH, H);
        CudaRecurrentCells.gruBackward(ctx, rows(dw, 6 * H, block), rows(dw, 9 * H, block), rows(dw, 10 * H, block),
                rows(dw, 12 * H, block), rows(dw, 13 * H, block), BATCH, H);
        assertClose("gru workspace", w, dw);
    }
}
