package org.dnnc.compiler.target;

import static com.google.common.truth.Truth.assertWithMessage;

import java.util.List;
import org.dnnc.compiler.ir.Conv2d;
import org.dnnc.compiler.ir.Conv2dGradInput;
import org.dnnc.compiler.ir.Conv2dGradWeight;
import org.dnnc.compiler.ir.Dim;
import org.dnnc.compiler.ir.Graph;
import org.dnnc.compiler.ir.GraphBuilder;
import org.dnnc.compiler.ir.Origin;
import org.dnnc.compiler.ir.TensorType;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The planner reserves exactly the scratch the runtime's convolutions ask for to split a batch over two threads. */
class CpuScratchTest {

    @ParameterizedTest(name = "C={0} H={1} W={2} O={3} k={4}x{5} stride={6} pad={7}")
    @CsvSource({
        "1, 28, 28, 16, 5, 5, 1, 2",
        "16, 14, 14, 32, 5, 5, 1, 2",
        "16, 14, 14, 32, 1, 1, 2, 0",
        "8, 7, 7, 8, 1, 1, 1, 0",
        "3, 9, 11, 4, 3, 2, 2, 1"})
    void matchesTheRuntime(int c, int h, int w, int o, int kh, int kw, int stride, int pad) throws Exception {
        Conv2d conv = new Conv2d(stride, stride, pad, pad, pad, pad);
        var b = new GraphBuilder("Conv");
        int x = b.input("x", TensorType.f32(Dim.BATCH, Dim.of(c), Dim.of(h), Dim.of(w)), Origin.NONE);
        int k = b.param("w", TensorType.f32(Dim.of(o), Dim.of(c), Dim.of(kh), Dim.of(kw)), true, "zeros", Origin.NONE);
        int y = b.add(conv, List.of(x, k), Origin.NONE);
        int dx = b.add(new Conv2dGradInput(conv, h, w), List.of(y, k), Origin.NONE);
        int dw = b.add(new Conv2dGradWeight(conv, kh, kw), List.of(y, x), Origin.NONE);
        b.output("dx", dx);
        b.output("dw", dw);
        Graph g = b.build();
        var geometry = new org.dnnc.runtime.cpu.ConvGeometry(c, h, w, o, kh, kw, stride, stride, pad, pad, pad, pad);
        long runtime = org.dnnc.runtime.cpu.Conv2d.scratchFloats(geometry, CpuScratch.THREADS);
        long columns = org.dnnc.runtime.cpu.Conv2d.scratchFloats(geometry, 1) * CpuScratch.THREADS;
        assertWithMessage("threads").that(CpuScratch.THREADS).isEqualTo(org.dnnc.runtime.cpu.Workers.MAX_THREADS);
        assertWithMessage("forward").that(CpuScratch.floats(g, g.node(y))).isEqualTo(columns);
        assertWithMessage("input gradient").that(CpuScratch.floats(g, g.node(dx))).isEqualTo(columns);
        assertWithMessage("weight gradient").that(CpuScratch.floats(g, g.node(dw))).isEqualTo(runtime);
    }
}
