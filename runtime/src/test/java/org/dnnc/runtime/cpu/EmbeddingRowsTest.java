package org.dnnc.runtime.cpu;

import static com.google.common.truth.Truth.assertThat;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.IntBuffer;
import java.util.SplittableRandom;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * The sparse table gradient ({@link Embedding#backwardRows}) and its SGD update ({@link
 * Optimizers#sgdRows}) against the dense ones ({@link Embedding#backward}, {@link Optimizers#sgd})
 * on a table of 50,000 rows: the same table bit for bit, with every row outside the batch untouched
 * and the rows touched counted.
 */
class EmbeddingRowsTest {
    private static final int VOCAB = 50_000;
    private static final int DIM = 8;
    private static final float LR = 0.3f;

    @Test
    void sgdOnTheBatchsRowsEqualsTheDenseUpdateAndTouchesNothingElse() {
        SplittableRandom random = new SplittableRandom(3);
        int[] ids = new int[64];
        for (int i = 0; i < ids.length; i++) {
            // Few distinct ids, spread over the table, most of them repeated.
            ids[i] = 977 * random.nextInt(20) + 13;
        }
        float[] dOut = values(random, ids.length * DIM);
        float[] start = values(random, VOCAB * DIM);

        Buf dense = Buf.of(start);
        Buf denseGrad = Buf.allocate(VOCAB * DIM);
        Embedding.backward(IntBuffer.wrap(ids), Buf.of(dOut), denseGrad, ids.length, VOCAB, DIM);
        Optimizers.sgd(dense, denseGrad, VOCAB * DIM, LR, 0f, 0f);

        Buf sparse = Buf.of(start);
        // Garbage past the rows: nothing may read it.
        Buf sparseGrad = Buf.of(filled(VOCAB * DIM, Float.NaN));
        EmbeddingRows rows = new EmbeddingRows(ids.length, VOCAB, DIM);
        Embedding.backwardRows(IntBuffer.wrap(ids), Buf.of(dOut), sparseGrad, rows, ids.length, VOCAB, DIM);
        Optimizers.sgdRows(sparse, sparseGrad, rows, VOCAB, DIM, LR);

        TreeSet<Integer> distinct = new TreeSet<>();
        for (int id : ids) {
            distinct.add(id);
        }
        assertThat(rows.count()).isEqualTo(distinct.size());
        assertThat(rows.elements()).isEqualTo(distinct.size() * DIM);
        int k = 0;
        for (int id : distinct) {
            assertThat(rows.row(k++)).isEqualTo(id);
        }
        assertThat(bits(sparse.toArray())).isEqualTo(bits(dense.toArray()));
        float[] after = sparse.toArray();
        int changed = 0;
        for (int row = 0; row < VOCAB; row++) {
            for (int j = 0; j < DIM; j++) {
                int i = row * DIM + j;
                boolean same = Float.floatToRawIntBits(after[i]) == Float.floatToRawIntBits(start[i]);
                if (!distinct.contains(row)) {
                    assertThat(same).isTrue();
                } else if (!same) {
                    changed++;
                }
            }
        }
        assertThat(changed).isEqualTo(distinct.size() * DIM);
    }

    @Test
    void checkAndClipNormOverTheRowsEqualTheDenseOnes() {
        SplittableRandom random = new SplittableRandom(5);
        int[] ids = {40_000, 7, 7, 12_345, 40_000, 3, 7, 49_999};
        float[] dOut = values(random, ids.length * DIM);
        Buf denseGrad = Buf.allocate(VOCAB * DIM);
        Embedding.backward(IntBuffer.wrap(ids), Buf.of(dOut), denseGrad, ids.length, VOCAB, DIM);
        Buf sparseGrad = Buf.of(filled(VOCAB * DIM, Float.POSITIVE_INFINITY));
        EmbeddingRows rows = new EmbeddingRows(ids.length, VOCAB, DIM);
        Embedding.backwardRows(IntBuffer.wrap(ids), Buf.of(dOut), sparseGrad, rows, ids.length, VOCAB, DIM);
        float[] others = values(random, 10);
        Buf other = Buf.of(others);

        assertThat(GradientCheck.allFinite(new Buf[] {other, sparseGrad}, new int[] {10, rows.elements()})).isTrue();
        assertThat(GradientCheck.allFinite(new Buf[] {other, sparseGrad}, new int[] {10, rows.elements() + 1}))
                .isFalse();

        Buf denseOther = Buf.of(others);
        double denseNorm = GradientClipping.clipNorm(new Buf[] {denseOther, denseGrad}, new int[] {10, VOCAB * DIM}, 0.1f);
        double sparseNorm = GradientClipping.clipNorm(new Buf[] {other, sparseGrad}, new int[] {10, rows.elements()}, 0.1f);
        assertThat(denseNorm).isGreaterThan(0.1);
        assertThat(Double.doubleToRawLongBits(sparseNorm)).isEqualTo(Double.doubleToRawLongBits(denseNorm));
        assertThat(bits(other.toArray())).isEqualTo(bits(denseOther.toArray()));
        for (int k = 0; k < rows.count(); k++) {
            for (int j = 0; j < DIM; j++) {
                assertThat(Float.floatToRawIntBits(sparseGrad.get(k * DIM + j)))
                        .isEqualTo(Float.floatToRawIntBits(denseGrad.get(rows.row(k) * DIM + j)));
            }
        }
    }

    @Test
    void expandWritesTheDenseGradient() {
        SplittableRandom random = new SplittableRandom(9);
        int vocab = 40;
        int[] ids = {0, 39, 5, 5, 6, 20, 39, 1};
        float[] dOut = values(random, ids.length * DIM);
        Buf denseGrad = Buf.allocate(vocab * DIM);
        Embedding.backward(IntBuffer.wrap(ids), Buf.of(dOut), denseGrad, ids.length, vocab, DIM);
        Buf sparseGrad = Buf.of(filled(vocab * DIM, 7f));
        EmbeddingRows rows = new EmbeddingRows(ids.length, vocab, DIM);
        Embedding.backwardRows(IntBuffer.wrap(ids), Buf.of(dOut), sparseGrad, rows, ids.length, vocab, DIM);

        rows.expand(sparseGrad);
        assertThat(rows.dense()).isTrue();
        assertThat(rows.elements()).isEqualTo(vocab * DIM);
        assertThat(bits(sparseGrad.toArray())).isEqualTo(bits(denseGrad.toArray()));
    }

    @Test
    void aBadIdOrTooManyIdsAreRefusedBeforeAnythingIsWritten() {
        EmbeddingRows rows = new EmbeddingRows(2, 5, 1);
        Buf grad = Buf.of(filled(5, 7f));
        IllegalArgumentException bad = assertThrows(IllegalArgumentException.class, () ->
                Embedding.backwardRows(IntBuffer.wrap(new int[] {1, 5}), Buf.of(1f, 2f), grad, rows, 2, 5, 1));
        assertThat(bad).hasMessageThat().contains("id 5 at position 1");
        IllegalArgumentException many = assertThrows(IllegalArgumentException.class, () ->
                Embedding.backwardRows(IntBuffer.wrap(new int[] {1, 2, 3}), Buf.of(1f, 2f, 3f), grad, rows, 3, 5, 1));
        assertThat(many).hasMessageThat().contains("a step of 3 ids, but the table's rows were sized for 2");
        assertThat(grad.toArray()).isEqualTo(filled(5, 7f));
    }

    private static float[] values(SplittableRandom random, int n) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = (float) (random.nextDouble() * 2 - 1);
        }
        return v;
    }

    private static float[] filled(int n, float value) {
        float[] v = new float[n];
        java.util.Arrays.fill(v, value);
        return v;
    }

    private static int[] bits(float[] values) {
        int[] bits = new int[values.length];
        for (int i = 0; i < values.length; i++) {
            bits[i] = Float.floatToRawIntBits(values[i]);
        }
        return bits;
    }
}
