package org.dnnc.runtime.cuda;

import static com.google.common.truth.Truth.assertThat;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.FloatBuffer;
import java.nio.IntBuffer;
import org.dnnc.runtime.cpu.Activation;
import org.dnnc.runtime.cpu.Blas;
import org.dnnc.runtime.cpu.Buf;
import org.dnnc.runtime.cpu.ConvAlgorithm;
import org.dnnc.runtime.cpu.ConvGeometry;
import org.dnnc.runtime.cpu.Conv2d;
import org.junit.jupiter.api.Test;

/** cuBLAS, cuDNN, CUDA graphs, pinned batches and generated kernels against the CPU. */
class LibrariesGpuTest extends GpuTestSupport {

    @Test
    void gemmFollowsTheCpusRowMajorConventionForEveryTransposition() {
        int m = 13;
        int n = 9;
        int k = 21;
        for (boolean ta : new boolean[] {false, true}) {
            for (boolean tb : new boolean[] {false, true}) {
                Buf a = Buf.of(uniform(m * k, 1));
                Buf b = Buf.of(uniform(k * n, 1));
                Buf c = Buf.of(uniform(m * n, 1));
                DevBuf dc = device(c);
                Blas.sgemm(ta, tb, m, n, k, 0.5f, a, b, 1f, c);
                Gemm.sgemm(ctx, ta, tb, m, n, k, 0.5f, device(a), device(b), 1f, dc);
                assertClose("sgemm ta=" + ta + " tb=" + tb, c.toArray(), host(dc), 1e-5f, 1e-5f);
            }
        }
        // Offsets and leading dimensions: the middle columns of wider matrices.
        Buf a = Buf.of(uniform(m * 30, 1));
        Buf b = Buf.of(uniform(k * 20, 1));
        Buf c = Buf.allocate(m * 16);
        DevBuf dc = device(c.size());
        CudaElementwise.fill(ctx, dc, c.size(), 0f);
        Blas.sgemm(false, false, m, n, k, 1f, a, 3, 30, b, 2, 20, 0f, c, 4, 16);
        Gemm.sgemm(ctx, false, false, m, n, k, 1f, device(a), 3, 30, device(b), 2, 20, 0f, dc, 4, 16);
        assertClose("sgemm with offsets", c.toArray(), host(dc), 1e-5f, 1e-5f);
    }

    @Test
    void cudnnConvolutionMatchesTheCpu() {
        assumeTrue(Cudnn.available(), Cudnn.availability().reason());
        int batch = 2;
        ConvGeometry g = ConvGeometry.symmetric(3, 9, 8, 4, 3, 2, 1);
        Buf x = Buf.of(uniform(batch * g.inputSize(), 1));
        Buf w = Buf.of(uniform(g.weightSize(), 1));
        Buf y = Buf.allocate(batch * g.outputSize());
        Buf scratch = Buf.allocate(Conv2d.scratchFloats(g));
        Conv2d.forward(ConvAlgorithm.IM2COL, g, x, w, null, y, scratch, batch, Activation.IDENTITY, 0f);
        Buf dz = Buf.of(uniform(y.size(), 1));
        Buf dx = Buf.allocate(x.size());
        Buf dw = Buf.allocate(w.size());
        Conv2d.backwardInput(ConvAlgorithm.IM2COL, g, dz, w, dx, scratch, batch, false);
        Conv2d.backwardWeights(ConvAlgorithm.IM2COL, g, dz, x, dw, scratch, batch, false);
        try (Cudnn cudnn = Cudnn.open(ctx); Cudnn.Convolution conv = cudnn.convolution(g, batch)) {
            DevBuf workspace = device((int) ((conv.workspaceBytes() + 3) / 4));
            DevBuf dy = device(y.size());
            DevBuf ddx = device(x.size());
            DevBuf ddw = device(w.size());
            DevBuf dxv = device(x);
            DevBuf dwv = device(w);
            conv.forward(dxv, dwv, dy, workspace);
            conv.backwardData(dwv, device(dz), ddx, workspace, false);
            conv.backwardFilter(dxv, device(dz), ddw, workspace, false);
            assertClose("conv forward", y.toArray(), host(dy), 1e-5f, 1e-4f);
            assertClose("conv dx", dx.toArray(), host(ddx), 1e-5f, 1e-4f);
            assertClose("conv dw", dw.toArray(), host(ddw), 1e-5f, 1e-4f);
        }
    }

    @Test
    void aCapturedGraphReplaysItsWork() {
        int n = 4096;
        DevBuf acc = device(n);
        DevBuf one = device(n);
        CudaElementwise.fill(ctx, acc, n, 0f);
        CudaElementwise.fill(ctx, one, n, 1f);
        // Warm-up outside the capture loads the kernel.
        CudaElementwise.accumulate(ctx, acc, one, n);
        try (CudaGraph graph = CudaGraph.capture(ctx, () -> {
            CudaElementwise.accumulate(ctx, acc, one, n);
            CudaElementwise.scale(ctx, acc, n, 2f);
        })) {
            // Capturing recorded the work without running it.
            assertThat(host(acc)[n - 1]).isEqualTo(1f);
            graph.launch();
            graph.launch();
            graph.launch();
            // ((1 + 1) * 2 + 1) * 2 = 10, then (10 + 1) * 2 = 22.
            assertThat(host(acc)[0]).isEqualTo(22f);
            assertThat(host(acc)[n - 1]).isEqualTo(22f);
        }
    }

    @Test
    void pinnedBatchesDeliverEachBatchToTheFixedInputs() {
        int floats = 1000;
        int ints = 10;
        DevBuf images = device(floats);
        DevBuf labels = arenaInts(ints);
        try (PinnedBatches batches = new PinnedBatches(ctx, floats, ints)) {
            for (int step = 0; step < 4; step++) {
                int slot = step % batches.slots();
                batches.awaitHostFree(slot);
                FloatBuffer f = batches.floats(slot, 0);
                IntBuffer l = batches.ints(slot, 1);
                for (int i = 0; i < floats; i++) {
                    f.put(i, step * 10_000 + i);
                }
                for (int i = 0; i < ints; i++) {
                    l.put(i, step * 100 + i);
                }
                batches.upload(slot);
                batches.deliver(slot, images, labels);
                float[] got = host(images);
                assertThat(got[0]).isEqualTo(step * 10_000f);
                assertThat(got[floats - 1]).isEqualTo(step * 10_000f + floats - 1);
                IntBuffer gotLabels = hostInts(new int[ints]);
                ctx.download(labels, gotLabels);
                assertThat(gotLabels.get(ints - 1)).isEqualTo(step * 100 + ints - 1);
            }
        }
    }

    @Test
    void aPinnedReadbackCopiesItsViewsInOrderAndWaitsForItsSlotOnly() {
        DevBuf a = device(new float[] {1, 2, 3});
        DevBuf b = device(new float[] {4, 5});
        try (PinnedReadback readback = new PinnedReadback(ctx, 2, 5)) {
            readback.queue(0, a, b);
            CudaElementwise.scale(ctx, a, 3, 10f);
            readback.queue(1, a.slice(0, 2));
            FloatBuffer first = readback.await(0);
            float[] got = new float[5];
            first.get(0, got);
            assertThat(got).isEqualTo(new float[] {1, 2, 3, 4, 5});
            FloatBuffer second = readback.await(1);
            assertThat(second.get(0)).isEqualTo(10f);
            assertThat(second.get(1)).isEqualTo(20f);
            assertThrows(IllegalArgumentException.class, () -> readback.queue(0, a, b, b));
        }
    }

    @Test
    void aGeneratedKernelIsCompiledThroughTheCacheAndRuns() {
        RuntimeKernelSource fused = new RuntimeKernelSource("fused_7", """
                extern "C" __global__ void fused_7(int n, const float* a, const float* b, float* y) {
                    for (int i = blockIdx.x * blockDim.x + threadIdx.x; i < n; i += gridDim.x * blockDim.x) {
                        y[i] = fmaxf(a[i] * 2.0f + b[i], 0.0f);
                    }
                }
                """);
        int n = 3000;
        float[] a = uniform(n, 1);
        float[] b = uniform(n, 1);
        DevBuf y = device(n);
        int before = ctx.kernelCache().compilations();
        ctx.launch(fused.load(ctx), n, ctx.args().i(n).ptr(device(a)).ptr(device(b)).ptr(y));
        assertThat(ctx.kernelCache().compilations()).isEqualTo(before + 1);
        float[] expected = new float[n];
        for (int i = 0; i < n; i++) {
            expected[i] = Math.max(a[i] * 2f + b[i], 0f);
        }
        assertClose("fused kernel", expected, host(y), 1e-6f, 1e-6f);
        fused.load(ctx);
        assertThat(ctx.kernelCache().compilations()).isEqualTo(before + 1);
    }
}
