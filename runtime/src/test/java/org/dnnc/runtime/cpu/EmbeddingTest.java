package org.dnnc.runtime.cpu;

import static com.google.common.truth.Truth.assertThat;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.IntBuffer;
import org.junit.jupiter.api.Test;

/** The embedding lookup and its table gradient, against PyTorch and on what its golden case does not reach. */
class EmbeddingTest {

    @Test
    void lookupAndTableGradientMatchPyTorch() {
        Golden g = Golden.load("embedding");
        int vocab = (int) g.attr("vocab");
        int dim = (int) g.attr("dim");
        IntBuffer ids = g.ints(g.file("inputs", "ids"));
        int rows = ids.capacity();
        Buf y = Buf.allocate(rows * dim);
        Embedding.forward(ids, g.buf("params", "table"), y, rows, vocab, dim);
        g.check("y", y, g.file("outputs", "y"));

        // Garbage in the gradient shows that backward overwrites rather than adds to it.
        Buf dTable = Buf.allocate(vocab * dim);
        Elementwise.fill(dTable, vocab * dim, 7f);
        Embedding.backward(ids, g.buf("dy.npy"), dTable, rows, vocab, dim);
        g.checkGrad("table", dTable);
    }

    @Test
    void repeatedIdsSumTheirGradientsAndUnusedRowsGetZero() {
        int vocab = 4;
        int dim = 3;
        int[] ids = {2, 0, 2, 2};
        float[] dOut = new float[ids.length * dim];
        for (int i = 0; i < dOut.length; i++) {
            dOut[i] = 0.25f * i - 1f;
        }
        Buf dTable = Buf.allocate(vocab * dim);
        Elementwise.fill(dTable, vocab * dim, 7f);
        Embedding.backward(IntBuffer.wrap(ids), Buf.of(dOut), dTable, ids.length, vocab, dim);

        float[] expected = new float[vocab * dim];
        for (int r = 0; r < ids.length; r++) {
            for (int j = 0; j < dim; j++) {
                expected[ids[r] * dim + j] += dOut[r * dim + j];
            }
        }
        assertThat(dTable.toArray()).isEqualTo(expected);
        assertThat(dTable.get(1 * dim)).isEqualTo(0f);
        assertThat(dTable.get(2 * dim)).isEqualTo(dOut[0] + dOut[2 * dim] + dOut[3 * dim]);
    }

    @Test
    void lookupCopiesRowsAndWritesNothingPastThem() {
        int vocab = 3;
        int dim = 2;
        Buf table = Buf.of(1f, 2f, 3f, 4f, 5f, 6f);
        int[] ids = {1, 1, 0};
        Buf out = Buf.allocate(ids.length * dim + 1);
        out.set(ids.length * dim, -1f);
        Embedding.forward(IntBuffer.wrap(ids), table, out, ids.length, vocab, dim);
        for (int r = 0; r < ids.length; r++) {
            for (int j = 0; j < dim; j++) {
                assertThat(out.get(r * dim + j)).isEqualTo(table.get(ids[r] * dim + j));
            }
        }
        assertThat(out.get(ids.length * dim)).isEqualTo(-1f);
    }

    @Test
    void idsOutsideTheVocabularyAreRefusedBeforeAnythingIsWritten() {
        int vocab = 5;
        int dim = 2;
        Buf table = Buf.allocate(vocab * dim);
        for (int[] ids : new int[][] {{0, 1, 5}, {-1, 0, 1}}) {
            int bad = ids[0] < 0 ? 0 : 2;
            Buf out = Buf.allocate(ids.length * dim);
            Elementwise.fill(out, ids.length * dim, 9f);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> Embedding.forward(IntBuffer.wrap(ids), table, out, ids.length, vocab, dim));
            assertThat(e).hasMessageThat().isEqualTo("id " + ids[bad] + " at position " + bad
                    + " of the batch's ids is outside the vocabulary [0, 5)");
            for (float v : out.toArray()) {
                assertThat(v).isEqualTo(9f);
            }

            Buf dTable = Buf.allocate(vocab * dim);
            Elementwise.fill(dTable, vocab * dim, 9f);
            e = assertThrows(IllegalArgumentException.class,
                    () -> Embedding.backward(IntBuffer.wrap(ids), Buf.allocate(ids.length * dim), dTable, ids.length,
                            vocab, dim));
            assertThat(e).hasMessageThat().contains("id " + ids[bad] + " at position " + bad);
            for (float v : dTable.toArray()) {
                assertThat(v).isEqualTo(9f);
            }
        }
    }
}
