package org.dnnc.runtime.cpu;

import java.util.Objects;

/**
 * The constant shape of one recurrent layer (one direction), per example: input {@code [steps,
 * inputSize]}, weights {@code w_ih [G*hidden, inputSize]} and {@code w_hh [G*hidden, hidden]},
 * biases {@code [G*hidden]} where G is the cell's {@link RecurrentCell#gates()}, output {@code
 * [steps, hidden]} when {@code sequences} or else {@code [hidden]} (the last state).
 *
 * <p>Generated code makes one instance per layer shape, once, and passes it to every {@link
 * Recurrent} call with the batch size of that call.
 *
 * @param cell the cell
 * @param steps time steps {@code T} (the padded length when examples carry their own lengths)
 * @param inputSize features per step {@code I}
 * @param hidden the state size {@code H}
 * @param reverse whether the layer runs from each sequence's last (valid) step to its first, as
 *     the backward direction of a bidirectional layer does; outputs stay at their time positions
 * @param sequences whether the output is every step's state rather than the last one
 */
public record RecurrentGeometry(RecurrentCell cell, int steps, int inputSize, int hidden, boolean reverse,
        boolean sequences) {

    /**
     * Checks the shape.
     *
     * @throws IllegalArgumentException if a size is not positive or the weights' rows overflow an int
     */
    public RecurrentGeometry {
        Objects.requireNonNull(cell, "cell");
        if (steps < 1 || inputSize < 1 || hidden < 1) {
            throw new IllegalArgumentException("recurrent sizes must be positive: steps " + steps + ", input "
                    + inputSize + ", hidden " + hidden);
        }
        if ((long) cell.gates() * hidden > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("hidden size " + hidden + " is too large for " + cell);
        }
    }

    /** The rows of the stacked weights, {@code G * hidden}. */
    public int gateRows() {
        return cell.gates() * hidden;
    }
}
