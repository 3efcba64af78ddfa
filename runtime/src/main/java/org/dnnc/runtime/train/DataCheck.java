package org.dnnc.runtime.train;

import java.util.Arrays;
import org.dnnc.runtime.data.Dataset;

/** Checks, before any step, that a data set fits what a network takes, so that mistakes surface as messages rather than as index errors in generated code. */
final class DataCheck {

    private DataCheck() {}

    /**
     * @param role what the data is for, to start the message: "training data", "validation data"
     * @throws IllegalArgumentException naming the expected and the actual shape or kind
     */
    static void check(TrainableNetwork net, Dataset data, String role) {
        if (data.size() == 0) {
            throw new IllegalArgumentException(role + " has no examples");
        }
        int[] expected = net.inputShape();
        int[] actual = data.exampleShape();
        if (!Arrays.equals(expected, actual)) {
            String hint = elements(expected) == elements(actual)
                    ? " (the same " + elements(actual) + " values: view them with dataset.reshape("
                            + Arrays.toString(expected).replaceAll("[\\[\\]]", "") + "))"
                    : "";
            throw new IllegalArgumentException(role + " has examples of shape " + Arrays.toString(actual)
                    + ", but network " + net.name() + " takes inputs of shape " + Arrays.toString(expected) + hint);
        }
        switch (net.targetKind()) {
            case LABELS -> {
                if (!data.hasLabels()) {
                    throw new IllegalArgumentException(role + " has float targets of shape "
                            + Arrays.toString(data.targetShape()) + ", but network " + net.name()
                            + " is trained on class labels");
                }
            }
            case TARGETS -> {
                int[] targetShape = net.targetShape();
                if (data.hasLabels()) {
                    throw new IllegalArgumentException(role + " has class labels, but network " + net.name()
                            + " is trained on float targets of shape " + Arrays.toString(targetShape));
                }
                if (!Arrays.equals(targetShape, data.targetShape())) {
                    throw new IllegalArgumentException(role + " has targets of shape "
                            + Arrays.toString(data.targetShape()) + ", but network " + net.name()
                            + " predicts targets of shape " + Arrays.toString(targetShape));
                }
            }
            case INPUT -> {
                // Trained to reproduce its input: the data's labels or targets are not used.
            }
        }
    }

    private static long elements(int[] shape) {
        long n = 1;
        for (int d : shape) {
            n *= d;
        }
        return n;
    }
}
