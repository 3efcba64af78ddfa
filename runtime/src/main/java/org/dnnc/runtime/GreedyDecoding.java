package org.dnnc.runtime;

import java.util.ArrayList;
import java.util.List;

/**
 * Greedy decoding for networks whose decoder reads its target shifted right (teacher forcing):
 * the target starts empty (zeros), and each step runs the network on the sources and the target so
 * far, takes the most likely token at that step from the logits, and writes it into the target,
 * where the next step's decoder input reads it. An example stops at its end token; decoding stops
 * when every example has, or after {@code maxLength} steps.
 *
 * <p>This is the simplest correct approach, not the fastest: each step runs the whole network
 * again on the growing prefix, which is right because a decoder is causal (step {@code t} reads only
 * the target before {@code t}), and costs {@code maxLength} predictions of the full length.
 */
public final class GreedyDecoding {
    private GreedyDecoding() {}

    /**
     * The decoded tokens, {@code [count × steps]}: each example's tokens up to and including its
     * end token, then zeros.
     *
     * @param net the network, which reads the sources and {@code target}
     * @param sources every input of the network but the target, for {@code count} examples
     * @param target the name of the int input that the decoder reads shifted right
     * @param steps the target's length per example
     * @param logits the name of the output that scores the target's tokens, {@code [steps × classes]}
     * @param end the end token
     * @param maxLength the most steps to decode, at most {@code steps}
     * @throws IllegalArgumentException if {@code maxLength} is outside {@code [1, steps]}, or the
     *     sources are not every other input of the network
     */
    public static int[] decode(Network net, Inputs sources, String target, int steps, String logits, int end,
            int maxLength) {
        if (maxLength < 1 || maxLength > steps) {
            throw new IllegalArgumentException("a maximum length of " + maxLength + " is outside [1, " + steps
                    + "], the target's length");
        }
        List<TensorSpec> others = new ArrayList<>();
        for (TensorSpec spec : net.inputs()) {
            if (!spec.name().equals(target)) {
                others.add(spec);
            }
        }
        int count = sources.count(others);
        int[] tokens = new int[count * steps];
        boolean[] done = new boolean[count];
        int remaining = count;
        // A batch of the sources' arrays and the target, leaving the caller's Inputs as they were.
        Inputs batch = new Inputs();
        for (TensorSpec spec : others) {
            if (spec.type() == ElementType.INT32) {
                batch.and(spec.name(), sources.ints(spec.name()));
            } else {
                batch.and(spec.name(), sources.floats(spec.name()));
            }
        }
        batch.and(target, tokens);
        for (int t = 0; t < maxLength && remaining > 0; t++) {
            float[] scores = net.predict(batch).get(logits);
            int classes = scores.length / (count * steps);
            for (int b = 0; b < count; b++) {
                if (done[b]) {
                    continue;
                }
                int row = (b * steps + t) * classes;
                int best = 0;
                for (int c = 1; c < classes; c++) {
                    best = scores[row + c] > scores[row + best] ? c : best;
                }
                tokens[b * steps + t] = best;
                if (best == end) {
                    done[b] = true;
                    remaining--;
                }
            }
        }
        return tokens;
    }
}
