package org.dnnc.runtime.cpu;

import java.nio.FloatBuffer;
import java.nio.IntBuffer;

/**
 * The embedding lookup and its backward, for a table {@code [vocab, dim]} (PyTorch's {@code
 * nn.Embedding.weight}) and {@code rows} ids: every id of the batch, in C order, so ids {@code
 * [batch, time]} are {@code rows = batch * time}. The output is {@code [rows, dim]}, one table row
 * per id.
 *
 * <p>Ids are an {@link IntBuffer}, like labels in {@link Losses}; only absolute {@code get(i)} is
 * used. Each id is checked before anything is written, so a bad batch leaves the output and the
 * gradient as they were. The table gradient of {@link #backward} is dense, as PyTorch's default
 * ({@code sparse=False}), so every optimizer sees it like any other weight gradient; that of {@link
 * #backwardRows} holds only the rows that ids picked, for an optimizer that leaves the other rows
 * as they are (see {@link EmbeddingRows}).
 */
public final class Embedding {

    private Embedding() {}

    /**
     * {@code out[r, :] = table[ids[r], :]} for each of the {@code rows} ids.
     *
     * @throws IllegalArgumentException if an id is outside {@code [0, vocab)}
     */
    public static void forward(IntBuffer ids, Buf table, Buf out, int rows, int vocab, int dim) {
        checkIds(ids, rows, vocab);
        FloatBuffer ys = out.data;
        FloatBuffer ts = table.data;
        for (int r = 0; r < rows; r++) {
            ys.put(r * dim, ts, ids.get(r) * dim, dim);
        }
    }

    /**
     * {@code dTable = 0}, then {@code dTable[ids[r], :] += dOut[r, :]} for each of the {@code rows}
     * ids: an id that occurs several times gets the sum of its rows' gradients.
     *
     * @throws IllegalArgumentException if an id is outside {@code [0, vocab)}
     */
    public static void backward(IntBuffer ids, Buf dOut, Buf dTable, int rows, int vocab, int dim) {
        checkIds(ids, rows, vocab);
        FloatBuffer gs = dOut.data;
        FloatBuffer dts = dTable.data;
        Elementwise.fill(dTable, vocab * dim, 0f);
        for (int r = 0; r < rows; r++) {
            int from = r * dim;
            int to = ids.get(r) * dim;
            for (int j = 0; j < dim; j++) {
                dts.put(to + j, dts.get(to + j) + gs.get(from + j));
            }
        }
    }

    /**
     * The sparse form of {@link #backward}: the distinct ids go to {@code rows}, ascending, and row
     * {@code k} of {@code dTable} gets the summed gradient of the {@code k}-th of them, added in the
     * same order as there, so its values are bit for bit the dense gradient's rows. Only the first
     * {@link EmbeddingRows#count()} rows of {@code dTable} are written.
     *
     * @throws IllegalArgumentException if an id is outside {@code [0, vocab)}
     */
    public static void backwardRows(IntBuffer ids, Buf dOut, Buf dTable, EmbeddingRows rows, int n, int vocab,
            int dim) {
        checkIds(ids, n, vocab);
        rows.collect(ids, n);
        FloatBuffer gs = dOut.data;
        FloatBuffer dts = dTable.data;
        Elementwise.fill(dTable, rows.count() * dim, 0f);
        for (int r = 0; r < n; r++) {
            int from = r * dim;
            int to = rows.slot(ids.get(r)) * dim;
            for (int j = 0; j < dim; j++) {
                dts.put(to + j, dts.get(to + j) + gs.get(from + j));
            }
        }
    }

    private static void checkIds(IntBuffer ids, int rows, int vocab) {
        for (int r = 0; r < rows; r++) {
            int id = ids.get(r);
            if (id < 0 || id >= vocab) {
                throw new IllegalArgumentException("id " + id + " at position " + r
                        + " of the batch's ids is outside the vocabulary [0, " + vocab + ")");
            }
        }
    }
}
