package org.dnnc.runtime.cuda;

import static com.google.common.truth.Truth.assertThat;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.List;
import org.bytedeco.javacpp.LongPointer;
import org.junit.jupiter.api.Test;

/** What the device-memory and launch bookkeeping does without a GPU: views, layouts and argument packing. */
class DeviceMemoryTest {

    @Test
    void slicesAddressTheirFirstElementAndCheckBounds() {
        DevBuf view = new DevBuf(0x10000L, 100, null);
        DevBuf slice = view.slice(10, 20);
        assertThat(slice.address()).isEqualTo(0x10000L + 40);
        assertThat(slice.size()).isEqualTo(20);
        assertThat(slice.bytes()).isEqualTo(80);
        assertThat(slice.slice(5, 15).address()).isEqualTo(0x10000L + 60);
        assertThrows(IndexOutOfBoundsException.class, () -> view.slice(90, 11));
        assertThrows(IndexOutOfBoundsException.class, () -> view.slice(-1, 2));
        assertThrows(IllegalArgumentException.class, () -> new DevBuf(0, -1, null));
    }

    @Test
    void regionsMustFitAndBeFloatAligned() {
        assertThat(Views.checkRegion(256, 64, 512)).isEqualTo(256);
        assertThrows(IndexOutOfBoundsException.class, () -> Views.checkRegion(256, 65, 512));
        assertThrows(IllegalArgumentException.class, () -> Views.checkRegion(2, 1, 512));
        assertThat(DeviceArena.align(1)).isEqualTo(256);
        assertThat(DeviceArena.align(256)).isEqualTo(256);
        assertThat(DeviceArena.align(257)).isEqualTo(512);
    }

    @Test
    void batchTensorsAreLaidOutAtAlignedOffsets() {
        long[] offsets = PinnedBatches.layout(new int[] {1000, 10, 0, 64});
        assertThat(offsets).asList().containsExactly(0L, 4096L, 4352L, 4352L, 4608L).inOrder();
        assertThrows(IllegalArgumentException.class, () -> PinnedBatches.layout(new int[] {-1}));
    }

    @Test
    void launchArgumentsArePackedOnePerSlotInOrder() {
        LaunchArgs args = new LaunchArgs();
        args.clear().ptr(new DevBuf(0x7f0000001000L, 4, null)).i(-7).f(1.5f).ptr(null);
        assertThat(args.count()).isEqualTo(4);
        assertThat(slot(args, 0)).isEqualTo(0x7f0000001000L);
        // Ints and floats sit in the low four bytes of their slot, where the kernel reads them.
        assertThat((int) slot(args, 1)).isEqualTo(-7);
        assertThat(Float.intBitsToFloat((int) slot(args, 2))).isEqualTo(1.5f);
        assertThat(slot(args, 3)).isEqualTo(0L);
        assertThat(args.clear().count()).isEqualTo(0);
        for (int i = 0; i < LaunchArgs.MAX; i++) {
            args.i(i);
        }
        assertThrows(IllegalStateException.class, () -> args.i(0));
    }

    @Test
    void aGeneratedKernelMustDeclareItsFunction() {
        RuntimeKernelSource ok = new RuntimeKernelSource("fused_3",
                "extern \"C\" __global__ void fused_3(int n, float* y) { }");
        assertThat(ok.source().name()).isEqualTo("fused_3");
        assertThrows(IllegalArgumentException.class,
                () -> new RuntimeKernelSource("fused_4", "extern \"C\" __global__ void fused_3(int n, float* y) { }"));
        assertThrows(IllegalArgumentException.class, () -> new RuntimeKernelSource("fused_3", "__global__ void fused_3() { }"));
    }

    @Test
    void optionsDefaultToDeviceZeroWithoutTf32() {
        CudaOptions o = CudaOptions.defaults();
        assertThat(o.device()).isEqualTo(0);
        assertThat(o.tf32()).isFalse();
        assertThat(CudaOptions.builder().device(1).tf32(true).build().tf32()).isTrue();
        assertThrows(IllegalArgumentException.class, () -> CudaOptions.builder().device(-1).build());
    }

    @Test
    void adamScalarsAreTheCpusStepSizes() {
        float[] s = CudaOptimizers.adamScalars(1e-3f, 0.9f, 0.999f, 2);
        assertThat(s[0]).isEqualTo((float) (-1e-3f / (1 - 0.9f * (double) 0.9f)));
        assertThat(s[1]).isEqualTo((float) (1 / Math.sqrt(1 - Math.pow(0.999f, 2))));
        assertThat(CudaOptimizers.momentumScalars(0.1f, 1)[1]).isEqualTo(1f);
        assertThat(CudaOptimizers.momentumScalars(0.1f, 2)[1]).isEqualTo(0f);
        assertThrows(IllegalArgumentException.class, () -> CudaOptimizers.adamScalars(1e-3f, 0.9f, 0.999f, 0));
    }

    /** The 8 bytes that launch parameter {@code i} points at. */
    private static long slot(LaunchArgs args, int i) {
        return new LongPointer(DevicePointers.at(args.params.get(i))).get(0);
    }

    @Test
    void pinnedSlotsAndReadBacksRecordTheirOperationsOnARecordingContext() {
        List<String> ops = new ArrayList<>();
        CudaContext ctx = CudaContext.recording(new CudaContext.LaunchSink() {
            @Override
            public void launched(Kernel kernel, int gridX, int gridY, int block, LaunchArgs arguments) {}

            @Override
            public void stream(String operation) {
                ops.add(operation);
            }
        });
        DevBuf images = ctx.arena(4096).floats(0, 100);
        DevBuf labels = ctx.arena(256).ints(0, 10);
        try (PinnedBatches batches = new PinnedBatches(ctx, 100, 10);
                PinnedReadback readback = new PinnedReadback(ctx, 2, 3)) {
            batches.awaitHostFree(1);
            batches.floats(1, 0).put(99, 7f);
            batches.ints(1, 1).put(9, 3);
            batches.upload(1);
            batches.deliver(1, images, labels);
            readback.queue(1, images.slice(0, 3));
            assertThat(readback.await(1).capacity()).isEqualTo(3);
            assertThrows(IllegalArgumentException.class, () -> batches.deliver(0, images));
            assertThrows(IllegalArgumentException.class, () -> batches.deliver(0, labels, images));
            assertThrows(IllegalArgumentException.class, () -> readback.queue(0, images));
        }
        assertThat(ops).containsExactly("fill 1", "upload 1", "deliver 1", "read back 1", "await read-back 1").inOrder();
        assertThrows(IllegalArgumentException.class, () -> new PinnedReadback(ctx, 0, 3));
    }
}
