package org.dnnc.compiler.target;

import static com.google.common.truth.Truth.assertWithMessage;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.dnnc.compiler.ir.AdditiveAttention;
import org.dnnc.compiler.ir.AdditiveAttentionGrad;
import org.dnnc.compiler.ir.AttentionDecoder;
import org.dnnc.compiler.ir.AttentionDecoderGrad;
import org.dnnc.compiler.ir.AttentionWeights;
import org.dnnc.compiler.ir.DecoderWeights;
import org.dnnc.compiler.ir.CellKind;
import org.dnnc.compiler.ir.Conv2d;
import org.dnnc.compiler.ir.Conv2dGradInput;
import org.dnnc.compiler.ir.Conv2dGradWeight;
import org.dnnc.compiler.ir.Dim;
import org.dnnc.compiler.ir.Graph;
import org.dnnc.compiler.ir.GraphBuilder;
import org.dnnc.compiler.ir.Layout;
import org.dnnc.compiler.ir.Origin;
import org.dnnc.compiler.ir.Recurrent;
import org.dnnc.compiler.ir.RecurrentGrad;
import org.dnnc.compiler.ir.TensorType;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The planner reserves exactly the scratch the runtime's convolutions ask for to split a batch over
 * two threads, and the workspace its recurrent layers fill in forward and read in backward.
 */
class CpuScratchTest {

    @ParameterizedTest(name = "C={0} H={1} W={2} O={3} k={4}x{5} stride={6} pad={7}")
    @CsvSource({
        "1, 28, 28, 16, 5, 5, 1, 2",
        "16, 14, 14, 32, 5, 5, 1, 2",
        "16, 14, 14, 32, 1, 1, 2, 0",
        "8, 7, 7, 8, 1, 1, 1, 0",
        "3, 9, 11, 4, 3, 2, 2, 1",
        "16, 7, 7, 24, 3, 3, 2, 1",
        "64, 5, 5, 8, 3, 3, 1, 1",
        "64, 7, 7, 64, 3, 3, 1, 1",
        "32, 7, 7, 64, 3, 3, 1, 1",
        "16, 7, 7, 32, 5, 5, 1, 2",
        "16, 28, 28, 16, 3, 3, 1, 1"})
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
        int threads = CpuScratch.THREADS;
        assertWithMessage("threads").that(threads).isEqualTo(org.dnnc.runtime.cpu.Workers.MAX_THREADS);
        assertWithMessage("forward").that(CpuScratch.floats(g, g.node(y), 1))
                .isEqualTo(org.dnnc.runtime.cpu.Conv2d.forwardScratchFloats(geometry, threads));
        assertWithMessage("input gradient").that(CpuScratch.floats(g, g.node(dx), 1))
                .isEqualTo(org.dnnc.runtime.cpu.Conv2d.inputGradientScratchFloats(geometry, threads));
        assertWithMessage("weight gradient").that(CpuScratch.floats(g, g.node(dw), 1))
                .isEqualTo(org.dnnc.runtime.cpu.Conv2d.weightGradientScratchFloats(geometry, threads));
        assertWithMessage("every pass").that(org.dnnc.runtime.cpu.Conv2d.scratchFloats(geometry, threads))
                .isEqualTo(Math.max(CpuScratch.floats(g, g.node(y), 1),
                        Math.max(CpuScratch.floats(g, g.node(dx), 1), CpuScratch.floats(g, g.node(dw), 1))));
    }

    /**
     * A call with a blocked operand has, before its algorithm's scratch, room for one example's input
     * and output where those are blocked, which the runtime's fallback reorders through.
     */
    @ParameterizedTest(name = "C={0} H={1} O={2} k={3} stride={4} x={5} y={6}")
    @CsvSource({
        "16, 14, 32, 3, 2, NCHW16C, NCHW16C",
        "16, 14, 32, 3, 1, NCHW, NCHW16C",
        "32, 7, 16, 1, 1, NCHW16C, NCHW",
        "64, 7, 64, 3, 1, NCHW16C, NCHW16C"})
    void blockedOperandsAddTheRuntimesReorderScratch(int c, int h, int o, int k, int stride, Layout x, Layout y)
            throws Exception {
        int pad = (k - 1) / 2;
        Conv2d conv = new Conv2d(stride, stride, pad, pad, pad, pad);
        var b = new GraphBuilder("Conv");
        int in = b.input("x", TensorType.f32(Dim.BATCH, Dim.of(c), Dim.of(h), Dim.of(h)), Origin.NONE);
        int w = b.param("w", TensorType.f32(Dim.of(o), Dim.of(c), Dim.of(k), Dim.of(k)), true, "zeros", Origin.NONE);
        int out = b.add(conv, List.of(in, w), Origin.NONE);
        int dx = b.add(new Conv2dGradInput(conv, h, h), List.of(out, w), Origin.NONE);
        int dw = b.add(new Conv2dGradWeight(conv, k, k), List.of(out, in), Origin.NONE);
        b.output("dx", dx);
        b.output("dw", dw);
        Graph g = b.build().withLayouts(Map.of(in, x, out, y, dx, x));
        var geometry = new org.dnnc.runtime.cpu.ConvGeometry(c, h, h, o, k, k, stride, stride, pad, pad, pad, pad);
        var in16 = org.dnnc.runtime.cpu.Layout.valueOf(x.name());
        var out16 = org.dnnc.runtime.cpu.Layout.valueOf(y.name());
        long reorders = org.dnnc.runtime.cpu.Conv2d.layoutScratchFloats(geometry, in16, out16);
        assertWithMessage("reorders").that(reorders).isGreaterThan(0L);
        int threads = CpuScratch.THREADS;
        assertWithMessage("forward").that(CpuScratch.floats(g, g.node(out), 1))
                .isEqualTo(reorders + org.dnnc.runtime.cpu.Conv2d.forwardScratchFloats(geometry, threads));
        assertWithMessage("input gradient").that(CpuScratch.floats(g, g.node(dx), 1))
                .isEqualTo(reorders + org.dnnc.runtime.cpu.Conv2d.inputGradientScratchFloats(geometry, threads));
        assertWithMessage("weight gradient").that(CpuScratch.floats(g, g.node(dw), 1))
                .isEqualTo(reorders + org.dnnc.runtime.cpu.Conv2d.weightGradientScratchFloats(geometry, threads));
    }

    @ParameterizedTest(name = "{0} T={1} I={2} H={3} batch={4}")
    @CsvSource({"RNN_TANH, 7, 3, 5, 4", "RNN_RELU, 3, 2, 4, 8", "LSTM, 12, 8, 16, 32", "GRU, 20, 2, 16, 64",
        "GRU, 1, 1, 1, 1"})
    void recurrentWorkspaceMatchesTheRuntime(CellKind cell, int steps, int in, int hidden, int batch)
            throws Exception {
        Recurrent layer = new Recurrent(cell, hidden, true, false);
        int rows = cell.gates() * hidden;
        var b = new GraphBuilder("Recurrent");
        int x = b.input("x", TensorType.f32(Dim.BATCH, Dim.of(steps), Dim.of(in)), Origin.NONE);
        List<Integer> operands = new ArrayList<>(List.of(x));
        for (TensorType t : List.of(TensorType.f32(Dim.of(rows), Dim.of(in)), TensorType.f32(Dim.of(rows), Dim.of(hidden)),
                TensorType.f32(Dim.of(rows)), TensorType.f32(Dim.of(rows)))) {
            operands.add(b.param("p" + operands.size(), t, true, "zeros", Origin.NONE));
        }
        int y = b.add(layer, operands, Origin.NONE);
        b.output("y", y);
        Graph inference = b.build();
        List<Integer> gradOperands = new ArrayList<>(List.of(y, y));
        gradOperands.addAll(operands);
        int dx = b.add(new RecurrentGrad(layer, RecurrentGrad.Wrt.X), gradOperands, Origin.NONE);
        b.output("dx", dx);
        Graph training = b.build();

        var geometry = new org.dnnc.runtime.cpu.RecurrentGeometry(org.dnnc.runtime.cpu.RecurrentCell.valueOf(
                cell.name()), steps, in, hidden, false, true);
        long runtime = org.dnnc.runtime.cpu.Recurrent.workspaceFloats(geometry, batch);
        assertWithMessage("scratch without a gradient").that(CpuScratch.floats(inference, inference.node(y), batch))
                .isEqualTo(runtime);
        assertWithMessage("nothing saved without a gradient")
                .that(CpuScratch.savedFloats(inference, inference.node(y), batch)).isEqualTo(0);
        assertWithMessage("saved for the gradient").that(CpuScratch.savedFloats(training, training.node(y), batch))
                .isEqualTo(runtime);
        assertWithMessage("no scratch beside what is saved").that(CpuScratch.floats(training, training.node(y), batch))
                .isEqualTo(0);
    }

    @ParameterizedTest(name = "queries={0} steps={1}")
    @CsvSource({"0, 7, 3, 5, 4, 2", "6, 9, 8, 2, 16, 32", "1, 1, 1, 1, 1, 1"})
    void attentionWorkspaceMatchesTheRuntime(int queries, int steps, int dq, int dv, int units, int batch)
            throws Exception {
        AdditiveAttention attention = new AdditiveAttention(units);
        var b = new GraphBuilder("Attention");
        TensorType queryType = queries == 0 ? TensorType.f32(Dim.BATCH, Dim.of(dq))
                : TensorType.f32(Dim.BATCH, Dim.of(queries), Dim.of(dq));
        int q = b.input("q", queryType, Origin.NONE);
        int z = b.input("z", TensorType.f32(Dim.BATCH, Dim.of(steps), Dim.of(dv)), Origin.NONE);
        int w = b.param("w", TensorType.f32(Dim.of(units), Dim.of(dq + dv)), true, "zeros", Origin.NONE);
        int v = b.param("v", TensorType.f32(Dim.of(units)), true, "zeros", Origin.NONE);
        List<Integer> operands = List.of(q, z, w, v);
        int y = b.add(attention, operands, Origin.NONE);
        int alpha = b.add(new AttentionWeights(attention), operands, Origin.NONE);
        b.output("y", y);
        b.output("alpha", alpha);
        Graph inference = b.build();
        List<Integer> gradOperands = new ArrayList<>(List.of(y, y));
        gradOperands.addAll(operands);
        b.output("dw", b.add(new AdditiveAttentionGrad(attention, AdditiveAttentionGrad.Wrt.W), gradOperands,
                Origin.NONE));
        Graph training = b.build();

        var geometry = new org.dnnc.runtime.cpu.AttentionGeometry(Math.max(queries, 1), steps, dq, dv, units);
        long runtime = org.dnnc.runtime.cpu.Attention.workspaceFloats(geometry, batch);
        assertWithMessage("scratch without a gradient").that(CpuScratch.floats(inference, inference.node(y), batch))
                .isEqualTo(runtime);
        assertWithMessage("the weights' scratch").that(CpuScratch.floats(inference, inference.node(alpha), batch))
                .isEqualTo(runtime);
        assertWithMessage("saved for the gradient").that(CpuScratch.savedFloats(training, training.node(y), batch))
                .isEqualTo(runtime);
        assertWithMessage("no scratch beside what is saved").that(CpuScratch.floats(training, training.node(y), batch))
                .isEqualTo(0);
    }

    @ParameterizedTest(name = "steps={0} values={3}")
    @CsvSource({"3, 2, 3, 4, 2, 3, 5", "7, 5, 16, 9, 8, 12, 32", "1, 1, 1, 1, 1, 1, 1"})
    void decoderWorkspaceMatchesTheRuntime(int steps, int in, int hidden, int valueSteps, int dv, int units, int batch)
            throws Exception {
        AttentionDecoder decoder = new AttentionDecoder(hidden, units, false, false);
        var b = new GraphBuilder("Decoder");
        List<Integer> operands = new ArrayList<>(List.of(
                b.input("x", TensorType.f32(Dim.BATCH, Dim.of(steps), Dim.of(in)), Origin.NONE),
                b.input("z", TensorType.f32(Dim.BATCH, Dim.of(valueSteps), Dim.of(dv)), Origin.NONE)));
        for (TensorType t : List.of(TensorType.f32(Dim.of(3 * hidden), Dim.of(in + dv)),
                TensorType.f32(Dim.of(3 * hidden), Dim.of(hidden)), TensorType.f32(Dim.of(3 * hidden)),
                TensorType.f32(Dim.of(3 * hidden)), TensorType.f32(Dim.of(units), Dim.of(hidden + dv)),
                TensorType.f32(Dim.of(units)))) {
            operands.add(b.param("p" + operands.size(), t, true, "zeros", Origin.NONE));
        }
        int y = b.add(decoder, operands, Origin.NONE);
        int alpha = b.add(new DecoderWeights(decoder), operands, Origin.NONE);
        b.output("y", y);
        b.output("alpha", alpha);
        Graph inference = b.build();
        List<Integer> gradOperands = new ArrayList<>(List.of(y, y));
        gradOperands.addAll(operands);
        b.output("dx", b.add(new AttentionDecoderGrad(decoder, AttentionDecoderGrad.Wrt.X), gradOperands, Origin.NONE));
        Graph training = b.build();

        var geometry = new org.dnnc.runtime.cpu.DecoderGeometry(steps, in, hidden, valueSteps, dv, units);
        long runtime = org.dnnc.runtime.cpu.AttentionDecoder.workspaceFloats(geometry, batch);
        assertWithMessage("scratch without a gradient").that(CpuScratch.floats(inference, inference.node(y), batch))
                .isEqualTo(runtime);
        assertWithMessage("the weights' scratch").that(CpuScratch.floats(inference, inference.node(alpha), batch))
                .isEqualTo(runtime);
        assertWithMessage("saved for the gradient").that(CpuScratch.savedFloats(training, training.node(y), batch))
                .isEqualTo(runtime);
        assertWithMessage("no scratch beside what is saved").that(CpuScratch.floats(training, training.node(y), batch))
                .isEqualTo(0);
    }

    /** A layer whose result only a later layer's gradient reads (as that layer's input) saves nothing. */
    @ParameterizedTest(name = "{0}")
    @CsvSource({"RNN_TANH", "LSTM", "GRU"})
    void aLayerFeedingADifferentiatedOneIsNotSaved(CellKind cell) throws Exception {
        int rows = cell.gates() * 4;
        var b = new GraphBuilder("Stacked");
        int x = b.input("x", TensorType.f32(Dim.BATCH, Dim.of(5), Dim.of(4)), Origin.NONE);
        int first = b.add(new Recurrent(cell, 4, true, false), withWeights(b, x, rows, "a"), Origin.NONE);
        Recurrent second = new Recurrent(cell, 4, false, false);
        List<Integer> operands = withWeights(b, first, rows, "b");
        int last = b.add(second, operands, Origin.NONE);
        List<Integer> gradOperands = new ArrayList<>(List.of(last, last));
        gradOperands.addAll(operands);
        b.output("dw", b.add(new RecurrentGrad(second, RecurrentGrad.Wrt.W_IH), gradOperands, Origin.NONE));
        Graph g = b.build();
        assertWithMessage("saved by the first layer").that(CpuScratch.savedFloats(g, g.node(first), 2)).isEqualTo(0);
        assertWithMessage("scratch of the first layer").that(CpuScratch.floats(g, g.node(first), 2)).isGreaterThan(0);
        assertWithMessage("saved by the second layer").that(CpuScratch.savedFloats(g, g.node(last), 2)).isGreaterThan(0);
    }

    /** {@code x} and four new parameters for a layer of {@code rows} gate rows and 4 inputs and states. */
    private static List<Integer> withWeights(GraphBuilder b, int x, int rows, String prefix) {
        return List.of(x, b.param(prefix + "_wih", TensorType.f32(Dim.of(rows), Dim.of(4)), true, "zeros", Origin.NONE),
                b.param(prefix + "_whh", TensorType.f32(Dim.of(rows), Dim.of(4)), true, "zeros", Origin.NONE),
                b.param(prefix + "_bih", TensorType.f32(Dim.of(rows)), true, "zeros", Origin.NONE),
                b.param(prefix + "_bhh", TensorType.f32(Dim.of(rows)), true, "zeros", Origin.NONE));
    }
}
