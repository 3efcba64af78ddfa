package org.dnnc.runtime.cpu;

/**
 * The constant shape of one additive attention, per example: queries {@code [queries,
 * queryFeatures]} (one query is {@code queries = 1}, stored as {@code [queryFeatures]}), values
 * {@code [steps, valueFeatures]}, the scoring weight {@code W [units, queryFeatures + valueFeatures]}
 * and vector {@code v [units]}; the context is {@code [queries, valueFeatures]} and the weights
 * {@code [queries, steps]}.
 *
 * <p>Generated code makes one instance per attention shape, once, and passes it to every {@link
 * Attention} call with the batch size of that call.
 *
 * @param queries queries per example {@code Tq}
 * @param steps value steps {@code T} (the padded length when examples carry their own lengths)
 * @param queryFeatures features per query {@code Dq}
 * @param valueFeatures features per value step {@code Dv}
 * @param units the scoring layer's size {@code A}
 */
public record AttentionGeometry(int queries, int steps, int queryFeatures, int valueFeatures, int units) {

    /**
     * Checks the shape.
     *
     * @throws IllegalArgumentException if a size is not positive or {@code W}'s row overflows an int
     */
    public AttentionGeometry {
        if (queries < 1 || steps < 1 || queryFeatures < 1 || valueFeatures < 1 || units < 1) {
            throw new IllegalArgumentException("attention sizes must be positive: queries " + queries + ", steps "
                    + steps + ", query features " + queryFeatures + ", value features " + valueFeatures + ", units "
                    + units);
        }
        if ((long) queryFeatures + valueFeatures > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("query and value features " + queryFeatures + " + " + valueFeatures
                    + " overflow an int");
        }
    }

    /** The length of a row of {@code W}: {@code queryFeatures + valueFeatures}. */
    public int weightColumns() {
        return queryFeatures + valueFeatures;
    }
}
