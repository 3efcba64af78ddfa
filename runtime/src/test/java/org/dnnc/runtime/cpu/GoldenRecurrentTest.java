package org.dnnc.runtime.cpu;

import java.nio.IntBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The recurrent kernels against PyTorch's outputs and gradients in {@code shared/golden}: each case's
 * sequence output, last states and the gradients of the input and every parameter, within the
 * case's tolerances (rtol 1e-4, atol 2e-5). Stacked and bidirectional layers are composed from
 * single layers, as the compiler composes them ({@link GoldenRecurrentCases}, which {@code
 * GoldenRecurrentGpuTest} runs on the GPU).
 */
class GoldenRecurrentTest {

    private static final GoldenRecurrentCases.Device<Buf, IntBuffer> CPU = new Cpu();

    @ParameterizedTest(name = "{0}")
    @MethodSource("org.dnnc.runtime.cpu.GoldenRecurrentCases#singleLayerCases")
    void oneLayer(String name, RecurrentCell cell) {
        GoldenRecurrentCases.singleLayer(CPU, name, cell);
    }

    @Test
    void twoStackedGruLayers() {
        GoldenRecurrentCases.twoStackedGruLayers(CPU);
    }

    @Test
    void bidirectionalLstm() {
        GoldenRecurrentCases.bidirectionalLstm(CPU);
    }

    /** The cases on the CPU's kernels. */
    private static final class Cpu implements GoldenRecurrentCases.Device<Buf, IntBuffer> {

        @Override
        public Buf allocate(int n) {
            return Buf.allocate(n);
        }

        @Override
        public Buf upload(float[] values) {
            return Buf.of(values);
        }

        @Override
        public IntBuffer uploadInts(int[] lengths) {
            return IntBuffer.wrap(lengths);
        }

        @Override
        public float[] download(Buf array) {
            return array.toArray();
        }

        @Override
        public void fill(Buf array, int n, float value) {
            Elementwise.fill(array, n, value);
        }

        @Override
        public void forward(RecurrentGeometry g, Buf x, IntBuffer lengths, Buf wIh, Buf wHh, Buf bIh, Buf bHh, Buf y,
                Buf workspace, int n) {
            Recurrent.forward(g, x, lengths, null, null, wIh, wHh, bIh, bHh, y, workspace, n);
        }

        @Override
        public void lastState(RecurrentGeometry g, Buf workspace, int n, Buf h, Buf c) {
            Recurrent.lastState(g, workspace, n, h, c);
        }

        @Override
        public void backward(RecurrentGeometry g, Buf x, IntBuffer lengths, Buf wIh, Buf wHh, Buf dy, Buf dhLast,
                Buf workspace, Buf dx, Buf dwIh, Buf dwHh, Buf dbIh, Buf dbHh, int n, boolean accumulate) {
            Recurrent.backward(g, x, lengths, wIh, wHh, dy, dhLast, workspace, dx, dwIh, dwHh, dbIh, dbHh, null, null,
                    n, accumulate);
        }

        @Override
        public void place(Buf src, int srcInner, Buf y, int yInner, int yOffset, int outer) {
            Concat.place(src, srcInner, y, yInner, yOffset, outer);
        }

        @Override
        public void extract(Buf y, int yInner, int yOffset, Buf dst, int dstInner, int outer) {
            Concat.extract(y, yInner, yOffset, dst, dstInner, outer);
        }
    }
}
