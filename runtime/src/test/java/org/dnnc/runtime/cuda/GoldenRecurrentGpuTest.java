package org.dnnc.runtime.cuda;

import org.dnnc.runtime.cpu.GoldenRecurrentCases;
import org.dnnc.runtime.cpu.RecurrentCell;
import org.dnnc.runtime.cpu.RecurrentGeometry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The recurrent layers of the CUDA runtime ({@link CudaRecurrent}, with {@link CudaConcat} for the
 * bidirectional layer's halves) against PyTorch's recurrent cases in {@code shared/golden}: {@code
 * rnn_tanh}, {@code lstm}, {@code gru}, {@code lstm_lengths}, {@code gru_lengths} (per-example
 * lengths on the device, and a gradient into the last state), {@code gru_stack2} and {@code
 * bilstm}. Each case's sequence output, last states ({@code h_n}, {@code c_n}) and the gradients of
 * the input and of every parameter are checked, with the case mapped onto single layers exactly as
 * the CPU's {@code GoldenRecurrentTest} maps it ({@link GoldenRecurrentCases}, run here on device
 * memory).
 *
 * <p>Tolerances: each case's own, as on the CPU ({@code rtol} 1e-4, {@code atol} 2e-5 for all
 * seven), not widened. The GPU sums in other orders than OpenBLAS (cuBLAS's GEMMs, the bias
 * gradients' column sums), but these cases are small (at most 3 examples, 5 steps, 5 hidden units),
 * so every sum has at most 20 terms and a different order moves a result by a few units in the last
 * place, far inside 1e-4 relative.
 */
class GoldenRecurrentGpuTest extends GpuTestSupport {

    private static final GoldenRecurrentCases.Device<DevBuf, DevBuf> GPU = new Gpu();

    @ParameterizedTest(name = "{0}")
    @MethodSource("org.dnnc.runtime.cpu.GoldenRecurrentCases#singleLayerCases")
    void oneLayer(String name, RecurrentCell cell) {
        GoldenRecurrentCases.singleLayer(GPU, name, cell);
    }

    @Test
    void twoStackedGruLayers() {
        GoldenRecurrentCases.twoStackedGruLayers(GPU);
    }

    @Test
    void bidirectionalLstm() {
        GoldenRecurrentCases.bidirectionalLstm(GPU);
    }

    /** The cases on the CUDA runtime: views of the test's arena, work queued on its context. */
    private static final class Gpu implements GoldenRecurrentCases.Device<DevBuf, DevBuf> {

        @Override
        public DevBuf allocate(int n) {
            return device(n);
        }

        @Override
        public DevBuf upload(float[] values) {
            return device(values);
        }

        @Override
        public DevBuf uploadInts(int[] lengths) {
            return deviceInts(lengths);
        }

        @Override
        public float[] download(DevBuf array) {
            return host(array);
        }

        @Override
        public void fill(DevBuf array, int n, float value) {
            CudaElementwise.fill(ctx, array, n, value);
        }

        @Override
        public void forward(RecurrentGeometry g, DevBuf x, DevBuf lengths, DevBuf wIh, DevBuf wHh, DevBuf bIh,
                DevBuf bHh, DevBuf y, DevBuf workspace, int n) {
            CudaRecurrent.forward(ctx, g, x, lengths, null, null, wIh, wHh, bIh, bHh, y, workspace, n);
        }

        @Override
        public void lastState(RecurrentGeometry g, DevBuf workspace, int n, DevBuf h, DevBuf c) {
            CudaRecurrent.lastState(ctx, g, workspace, n, h, c);
        }

        @Override
        public void backward(RecurrentGeometry g, DevBuf x, DevBuf lengths, DevBuf wIh, DevBuf wHh, DevBuf dy,
                DevBuf dhLast, DevBuf workspace, DevBuf dx, DevBuf dwIh, DevBuf dwHh, DevBuf dbIh, DevBuf dbHh, int n,
                boolean accumulate) {
            CudaRecurrent.backward(ctx, g, x, lengths, wIh, wHh, dy, dhLast, workspace, dx, dwIh, dwHh, dbIh, dbHh,
                    null, null, n, accumulate);
        }

        @Override
        public void place(DevBuf src, int srcInner, DevBuf y, int yInner, int yOffset, int outer) {
            CudaConcat.place(ctx, src, srcInner, y, yInner, yOffset, outer);
        }

        @Override
        public void extract(DevBuf y, int yInner, int yOffset, DevBuf dst, int dstInner, int outer) {
            CudaConcat.extract(ctx, y, yInner, yOffset, dst, dstInner, outer);
        }
    }
}
