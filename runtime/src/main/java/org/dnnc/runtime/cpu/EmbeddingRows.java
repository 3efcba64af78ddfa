package org.dnnc.runtime.cpu;

import java.nio.FloatBuffer;
import java.nio.IntBuffer;
import java.util.Arrays;
import java.util.Objects;

/**
 * The rows of an embedding table that one training step's ids picked, for a sparse table gradient
 * (see {@link Embedding#backwardRows}): the distinct ids in ascending order, and the gradient
 * buffer holding their summed gradients in its first {@link #count()} rows. Where the optimizer
 * leaves a row with a zero gradient unchanged (plain SGD), the step checks, clips and updates only
 * these rows, and gets bit for bit what the dense gradient would give: the other rows' gradient is
 * zero, and ascending order keeps the clip norm's sum in the dense order.
 *
 * <p>The ids are copied here when the gradient is computed, so the memory plan may reuse the ids'
 * buffer afterwards. One object per table, allocated with the network; nothing is allocated per step.
 */
public final class EmbeddingRows {
    private final int vocab;
    private final int dim;
    /** The distinct ids of the step, ascending, in the first {@link #count} elements. */
    private final int[] rows;
    /** The step's ids, sorted. */
    private final int[] sorted;
    private int count;
    /** Whether {@link #expand} has written the whole table gradient since the last step's rows. */
    private boolean dense;

    /**
     * Room for {@code ids} ids a step (every id of the largest batch) into a table {@code [vocab, dim]}.
     *
     * @throws IllegalArgumentException if a size is not positive
     */
    public EmbeddingRows(int ids, int vocab, int dim) {
        if (ids <= 0 || vocab <= 0 || dim <= 0) {
            throw new IllegalArgumentException("ids, vocab and dim must be positive, got " + ids + ", " + vocab
                    + ", " + dim);
        }
        this.vocab = vocab;
        this.dim = dim;
        this.sorted = new int[ids];
        this.rows = new int[Math.min(ids, vocab)];
    }

    /** Takes the distinct ids of the first {@code n} of {@code ids}, already checked to be in the vocabulary. */
    void collect(IntBuffer ids, int n) {
        if (n > sorted.length) {
            throw new IllegalArgumentException("a step of " + n + " ids, but the table's rows were sized for "
                    + sorted.length);
        }
        ids.get(0, sorted, 0, n);
        Arrays.sort(sorted, 0, n);
        count = 0;
        for (int r = 0; r < n; r++) {
            if (count == 0 || rows[count - 1] != sorted[r]) {
                rows[count++] = sorted[r];
            }
        }
        dense = false;
    }

    /** Which of the rows holds id {@code id}, one of the step's ids. */
    int slot(int id) {
        return Arrays.binarySearch(rows, 0, count, id);
    }

    /** How many distinct ids the step had: the rows its gradient holds, and all that a sparse update touches. */
    public int count() {
        return count;
    }

    /** The {@code k}-th distinct id, ascending. */
    public int row(int k) {
        Objects.checkIndex(k, count);
        return rows[k];
    }

    /** Whether the gradient is dense again: {@link #expand} ran after the step's rows were taken. */
    public boolean dense() {
        return dense;
    }

    /**
     * The elements of the gradient that hold values: the rows' ({@code count * dim}), or the whole
     * table's after {@link #expand}. Clipping and the finiteness check read that many from the start.
     */
    public int elements() {
        return dense ? vocab * dim : count * dim;
    }

    /**
     * Writes the dense gradient in place: each row moved to its id's row, every other row zeroed. A
     * step does this where its result must be the dense one even for rows that ids did not pick (a
     * non-finite gradient that clipping spreads to every row); the update then covers the table.
     */
    public void expand(Buf gradient) {
        if (dense) {
            return;
        }
        FloatBuffer g = gradient.data;
        // Ids ascend and are distinct, so rows[k] >= k: moving from the last row down never
        // overwrites a row not yet moved.
        for (int k = count - 1; k >= 0; k--) {
            if (rows[k] != k) {
                g.put(rows[k] * dim, g, k * dim, dim);
            }
        }
        int next = 0;
        for (int k = 0; k <= count; k++) {
            int end = k < count ? rows[k] : vocab;
            for (int i = next * dim; i < end * dim; i++) {
                g.put(i, 0f);
            }
            next = end + 1;
        }
        dense = true;
    }
}
