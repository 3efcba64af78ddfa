package org.dnnc.runtime.cuda;

import static com.google.common.truth.Truth.assertThat;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.List;
import org.dnnc.runtime.cpu.Activation;
import org.dnnc.runtime.cpu.ConvGeometry;
import org.junit.jupiter.api.Test;

/**
 * What {@link CudaConv2d} queues on its im2col and pointwise paths, seen on a recording context
 * without a GPU (which also takes these paths where cuDNN would run): the groups the scratch
 * allows, a strided-batched GEMM per group whose every matrix fits its view (the GEMM checks the
 * first and last before it records), and the kernel gradient's one GEMM a group, overwriting once,
 * then adding.
 */
class ConvolutionCallsTest {

    private final List<String> calls = new ArrayList<>();
    private final CudaContext ctx = CudaContext.recording(new CudaContext.LaunchSink() {
        @Override
        public void launched(Kernel kernel, int gridX, int gridY, int block, LaunchArgs arguments) {
            calls.add(kernel.name());
        }

        @Override
        public void gemm(String call) {
            calls.add(call);
        }
    });
    private long next = 1 << 20;

    private DevBuf buf(int n) {
        DevBuf b = new DevBuf(next, n, null);
        next += DeviceArena.align((long) n * 4 + 4);
        return b;
    }

    @Test
    void im2colRunsInGroupsOfWhatTheScratchHolds() {
        // 3x3 stride 2, asymmetric padding: 3 x 3 outputs of 5 filters, 27-float patches, 243 floats of columns an example.
        ConvGeometry g = new ConvGeometry(3, 7, 6, 5, 3, 3, 2, 2, 1, 1, 0, 1);
        int columns = g.patchSize() * g.outHeight() * g.outWidth();
        int batch = 5;
        DevBuf scratch = buf(2 * columns + 7);
        assertThat(CudaConv2d.examplesPerGroup(g, scratch, batch)).isEqualTo(2);
        DevBuf x = buf(batch * g.inputSize());
        DevBuf w = buf(g.weightSize());
        DevBuf y = buf(batch * g.outputSize());

        CudaConv2d.forward(ctx, g, x, w, buf(g.filters()), y, scratch, batch, Activation.RELU, 0f);
        String group = "sgemmStridedBatched false false m=5 n=9 k=27 a@0+0 b@0+9 c@%d+45 x%d beta=0.0";
        assertThat(calls).containsExactly("im2col", String.format(group, 0, 2), "im2col", String.format(group, 90, 2),
                "im2col", String.format(group, 180, 1), "ew_add_channel_bias", "act_forward").inOrder();

        calls.clear();
        CudaConv2d.backwardInput(ctx, g, y, w, x, scratch, batch, false);
        assertThat(calls).hasSize(6);
        assertThat(calls.get(4)).isEqualTo("sgemmStridedBatched true false m=27 n=9 k=5 a@0+0 b@180+45 c@0+9 x1 beta=0.0");
        assertThat(calls.get(5)).isEqualTo("col2im");

        // The kernel gradient: 243 floats of columns and 45 of dz an example, so 2 examples in 580 floats.
        calls.clear();
        DevBuf weightScratch = buf(2 * (int) CudaConv2d.weightGradientFloats(g) + 4);
        CudaConv2d.backwardWeights(ctx, g, y, x, w, weightScratch, batch, false);
        String gemm = "sgemm false true m=5 n=27 k=%d a@0 b@0 c@0 beta=%s";
        assertThat(calls).containsExactly("im2col", "im2col", String.format(gemm, 18, "0.0"), "im2col", "im2col",
                String.format(gemm, 18, "1.0"), "im2col", "im2col", String.format(gemm, 9, "1.0")).inOrder();
    }

    @Test
    void aPointwiseConvolutionIsOneGemmOnTheInput() {
        ConvGeometry g = ConvGeometry.symmetric(6, 5, 5, 4, 1, 1, 0);
        int batch = 3;
        DevBuf x = buf(batch * g.inputSize());
        DevBuf w = buf(g.weightSize());
        DevBuf y = buf(batch * g.outputSize());
        CudaConv2d.forward(ctx, g, x, w, null, y, null, batch, Activation.IDENTITY, 0f);
        CudaConv2d.backwardInput(ctx, g, y, w, x, null, batch, true);
        // The kernel gradient lays out the input (6 rows) and dy (4 rows) of all three examples: one GEMM.
        CudaConv2d.backwardWeights(ctx, g, y, x, w, buf(3 * (6 + 4) * 25), batch, true);
        assertThat(calls).containsExactly(
                "sgemmStridedBatched false false m=4 n=25 k=6 a@0+0 b@0+150 c@0+100 x3 beta=0.0",
                "sgemmStridedBatched true false m=6 n=25 k=4 a@0+0 b@0+100 c@0+150 x3 beta=1.0",
                "im2col", "im2col", "sgemm false true m=4 n=6 k=75 a@0 b@0 c@0 beta=1.0").inOrder();
    }

    @Test
    void aScratchTooSmallForOneExampleIsRefusedWithTheSizes() {
        ConvGeometry g = ConvGeometry.symmetric(3, 9, 8, 4, 3, 1, 1);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> CudaConv2d.forward(ctx, g, buf(2 * g.inputSize()), buf(g.weightSize()), null,
                        buf(2 * g.outputSize()), buf(100), 2, Activation.IDENTITY, 0f));
        assertThat(e).hasMessageThat().contains("needs a scratch of at least 1944 floats");
        assertThat(e).hasMessageThat().contains("got 100");
        // The kernel gradient's example: 1944 floats of columns and 4 * 72 of dz.
        e = assertThrows(IllegalArgumentException.class, () -> CudaConv2d.backwardWeights(ctx, g,
                buf(2 * g.outputSize()), buf(2 * g.inputSize()), buf(g.weightSize()), buf(2000), 2, false));
        assertThat(e).hasMessageThat().contains("needs a scratch of at least 2232 floats");
    }
}
