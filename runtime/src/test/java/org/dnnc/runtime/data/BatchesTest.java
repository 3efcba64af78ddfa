package org.dnnc.runtime.data;

import static com.google.common.truth.Truth.assertThat;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.IntBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.NoSuchElementException;
import org.junit.jupiter.api.Test;

class BatchesTest {
    private static final Dataset TEN = DatasetTest.ten();

    @Test
    void inOrderWithTheLastBatchShortByDefault() {
        Batches batches = Batches.of(TEN, 4);
        assertThat(batches.batchSize()).isEqualTo(4);
        assertThat(batches.batchesPerEpoch()).isEqualTo(3);
        float[] x = batches.newFeatureBuffer();
        int[] y = batches.newLabelBuffer();
        assertThat(x).hasLength(8);
        BatchIterator it = batches.epoch(0);
        assertThat(it.next(x, y)).isEqualTo(4);
        assertThat(x).usingExactEquality().containsExactly(0f, 0f, 1f, -1f, 2f, -2f, 3f, -3f).inOrder();
        assertThat(y).asList().containsExactly(0, 1, 2, 0).inOrder();
        assertThat(it.next(x, y)).isEqualTo(4);
        assertThat(it.hasNext()).isTrue();
        assertThat(it.next(x, y)).isEqualTo(2);
        // The short batch fills the front; the rest keeps the previous batch's values.
        assertThat(x).usingExactEquality().containsExactly(8f, -8f, 9f, -9f, 6f, -6f, 7f, -7f).inOrder();
        assertThat(y).asList().containsExactly(2, 0, 0, 1).inOrder();
        assertThat(it.hasNext()).isFalse();
        assertThrows(NoSuchElementException.class, () -> it.next(x, y));
    }

    @Test
    void droppingLastSkipsTheShortBatch() {
        Batches batches = Batches.of(TEN, 4).droppingLast();
        assertThat(batches.batchesPerEpoch()).isEqualTo(2);
        assertThat(sizes(batches, 0)).containsExactly(4, 4);
        assertThat(sizes(Batches.of(TEN, 5).droppingLast(), 0)).containsExactly(5, 5);
        assertThat(sizes(Batches.of(TEN, 20).droppingLast(), 0)).isEmpty();
        assertThat(sizes(Batches.of(TEN, 20), 0)).containsExactly(10);
    }

    @Test
    void shufflingIsAPermutationFixedBySeedAndEpoch() {
        Batches batches = Batches.of(TEN, 3).shuffled(7);
        List<Integer> epoch0 = order(batches, 0);
        assertThat(epoch0).containsExactly(0, 1, 2, 3, 4, 5, 6, 7, 8, 9);
        assertThat(epoch0).isNotEqualTo(List.of(0, 1, 2, 3, 4, 5, 6, 7, 8, 9));
        assertThat(order(batches, 0)).isEqualTo(epoch0);
        assertThat(order(Batches.of(TEN, 3).shuffled(7), 0)).isEqualTo(epoch0);
        assertThat(order(batches, 1)).isNotEqualTo(epoch0);
        assertThat(order(batches, 1)).containsExactly(0, 1, 2, 3, 4, 5, 6, 7, 8, 9);
        assertThat(order(Batches.of(TEN, 3).shuffled(8), 0)).isNotEqualTo(epoch0);
        // Labels travel with their examples.
        float[] x = batches.newFeatureBuffer();
        int[] y = batches.newLabelBuffer();
        for (BatchIterator it = batches.epoch(3); it.hasNext(); ) {
            int n = it.next(x, y);
            for (int i = 0; i < n; i++) {
                assertThat(y[i]).isEqualTo((int) x[2 * i] % 3);
            }
        }
    }

    @Test
    void fillsBuffersOverNativeMemoryWithoutMovingThem() {
        Batches batches = Batches.of(TEN, 4).shuffled(1);
        float[] x = batches.newFeatureBuffer();
        int[] y = batches.newLabelBuffer();
        FloatBuffer nativeX = ByteBuffer.allocateDirect(4 * x.length).order(ByteOrder.nativeOrder()).asFloatBuffer();
        IntBuffer nativeY = ByteBuffer.allocateDirect(4 * y.length).order(ByteOrder.nativeOrder()).asIntBuffer();
        BatchIterator arrays = batches.epoch(2);
        BatchIterator buffers = batches.epoch(2);
        while (arrays.hasNext()) {
            int n = arrays.next(x, y);
            assertThat(buffers.next(nativeX, nativeY)).isEqualTo(n);
            assertThat(nativeX.position()).isEqualTo(0);
            float[] copied = new float[x.length];
            nativeX.get(0, copied);
            assertThat(copied).usingExactEquality().containsExactly(x).inOrder();
            int[] labels = new int[y.length];
            nativeY.get(0, labels);
            assertThat(labels).isEqualTo(y);
        }
        assertThat(buffers.hasNext()).isFalse();
    }

    @Test
    void regressionTargetsComeInFloatBuffers() {
        Dataset data = Dataset.regression(new float[] {0, 1, 2}, new int[] {1}, new float[] {0, 10, 1, 11, 2, 12},
                new int[] {2});
        Batches batches = Batches.of(data, 2);
        float[] x = batches.newFeatureBuffer();
        float[] t = batches.newTargetBuffer();
        BatchIterator it = batches.epoch(0);
        assertThat(it.next(x, t)).isEqualTo(2);
        assertThat(t).usingExactEquality().containsExactly(0f, 10f, 1f, 11f).inOrder();
        FloatBuffer nativeT = FloatBuffer.allocate(4);
        assertThat(it.next(FloatBuffer.wrap(x), nativeT)).isEqualTo(1);
        assertThat(nativeT.get(1)).isEqualTo(12f);
        assertThrows(IllegalStateException.class, () -> batches.epoch(0).next(x, new int[2]));
        assertThrows(IllegalStateException.class, () -> Batches.of(TEN, 2).epoch(0).next(new float[4], new float[4]));
    }

    @Test
    void buffersTooSmallForAFullBatchAreRejected() {
        BatchIterator it = Batches.of(TEN, 4).epoch(0);
        assertThat(assertThrows(IllegalArgumentException.class, () -> it.next(new float[7], new int[4])))
                .hasMessageThat().isEqualTo("the feature buffer holds 7 floats, a batch needs 4 x 2 = 8");
        assertThat(assertThrows(IllegalArgumentException.class, () -> it.next(new float[8], new int[3])))
                .hasMessageThat().isEqualTo("the label buffer holds 3 values, a batch needs 4");
        assertThrows(IllegalArgumentException.class, () -> Batches.of(TEN, 0));
    }

    @Test
    void batchesAllocateNothing() {
        Dataset data = Dataset.of(new float[2000 * 16], new int[] {16}, new int[2000]);
        Batches batches = Batches.of(data, 8).shuffled(3);
        float[] x = batches.newFeatureBuffer();
        int[] y = batches.newLabelBuffer();
        var threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        assertThat(threads.isThreadAllocatedMemoryEnabled()).isTrue();
        BatchIterator warmUp = batches.epoch(0);
        while (warmUp.hasNext()) {
            warmUp.next(x, y);
        }
        BatchIterator it = batches.epoch(1); // the epoch's order is allocated here, once
        long before = threads.getCurrentThreadAllocatedBytes();
        int batchCount = 0;
        while (it.hasNext()) {
            it.next(x, y);
            batchCount++;
        }
        long allocated = threads.getCurrentThreadAllocatedBytes() - before;
        assertThat(batchCount).isEqualTo(250);
        assertThat(allocated).isLessThan(1024L);
    }

    private static List<Integer> sizes(Batches batches, int epoch) {
        List<Integer> sizes = new ArrayList<>();
        float[] x = batches.newFeatureBuffer();
        int[] y = batches.newLabelBuffer();
        for (BatchIterator it = batches.epoch(epoch); it.hasNext(); ) {
            sizes.add(it.next(x, y));
        }
        return sizes;
    }

    /** The examples in the order one epoch visits them, identified by their first feature. */
    private static List<Integer> order(Batches batches, int epoch) {
        List<Integer> order = new ArrayList<>();
        float[] x = batches.newFeatureBuffer();
        int[] y = batches.newLabelBuffer();
        for (BatchIterator it = batches.epoch(epoch); it.hasNext(); ) {
            int n = it.next(x, y);
            for (int i = 0; i < n; i++) {
                order.add((int) x[2 * i]);
            }
        }
        return order;
    }
}
