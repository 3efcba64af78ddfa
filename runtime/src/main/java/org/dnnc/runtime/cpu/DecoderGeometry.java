package org.dnnc.runtime.cpu;

/**
 * The constant shape of one {@link AttentionDecoder}, per example: inputs {@code [steps,
 * inputSize]}, values {@code [valueSteps, valueFeatures]}, a GRU cell of {@code hidden} units whose
 * input is a step's input and context side by side ({@code w_ih [3*hidden, inputSize +
 * valueFeatures]}), and attention of {@code units} over the values ({@code W [units, hidden +
 * valueFeatures]}, {@code v [units]}). The output is {@code [steps, hidden + valueFeatures]}.
 *
 * @param steps decoder steps {@code S}
 * @param inputSize features of each decoder input {@code E}
 * @param hidden the state size {@code H}
 * @param valueSteps value steps {@code T} (the padded length when the values carry lengths)
 * @param valueFeatures features per value step {@code Dv}
 * @param units the attention's scoring layer {@code A}
 */
public record DecoderGeometry(int steps, int inputSize, int hidden, int valueSteps, int valueFeatures, int units) {

    /**
     * Checks the shape.
     *
     * @throws IllegalArgumentException if a size is not positive or a weight's rows overflow an int
     */
    public DecoderGeometry {
        if (steps < 1 || inputSize < 1 || hidden < 1 || valueSteps < 1 || valueFeatures < 1 || units < 1) {
            throw new IllegalArgumentException("decoder sizes must be positive: steps " + steps + ", input "
                    + inputSize + ", hidden " + hidden + ", value steps " + valueSteps + ", value features "
                    + valueFeatures + ", units " + units);
        }
        if (3L * hidden > Integer.MAX_VALUE || (long) inputSize + valueFeatures > Integer.MAX_VALUE
                || (long) hidden + valueFeatures > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("decoder sizes overflow an int");
        }
    }

    /** The rows of the cell's stacked weights, {@code 3 * hidden}. */
    public int gateRows() {
        return 3 * hidden;
    }

    /** The features of each output step, {@code hidden + valueFeatures}. */
    public int outputSize() {
        return hidden + valueFeatures;
    }
}
