package org.dnnc.runtime.cpu;

import java.nio.FloatBuffer;
import java.nio.IntBuffer;

/**
 * Moves along the time axis of sequences {@code [N, T, ...]}: token ids shifted one step later
 * (a decoder's input under teacher forcing), and the last (valid) step of each sequence with its
 * gradient.
 */
public final class Steps {
    private Steps() {}

    /** {@code y[b, 0] = fill}, {@code y[b, t] = x[b, t - 1]}: ids {@code [n, steps]}; {@code y} must not be {@code x}. */
    public static void shiftRight(IntBuffer x, IntBuffer y, int n, int steps, int fill) {
        for (int b = 0; b < n; b++) {
            int row = b * steps;
            y.put(row, fill);
            for (int t = 1; t < steps; t++) {
                y.put(row + t, x.get(row + t - 1));
            }
        }
    }

    /**
     * {@code y[b] = x[b, last]} of {@code x [n, steps, features]}, where {@code last} is the final
     * step or, with {@code lengths}, {@code lengths[b] - 1}; zero for a length of 0.
     *
     * @throws IllegalArgumentException if a length is outside {@code [0, steps]}
     */
    public static void last(Buf x, IntBuffer lengths, Buf y, int n, int steps, int features) {
        FloatBuffer ys = y.data;
        for (int b = 0; b < n; b++) {
            int length = length(lengths, b, steps);
            if (length == 0) {
                for (int f = 0; f < features; f++) {
                    ys.put(b * features + f, 0f);
                }
            } else {
                ys.put(b * features, x.data, (b * steps + length - 1) * features, features);
            }
        }
    }

    /** The gradient of {@link #last}: {@code dy [n, features]} at each example's last step of {@code dx}, zero elsewhere. */
    public static void lastBackward(Buf dy, IntBuffer lengths, Buf dx, int n, int steps, int features) {
        FloatBuffer dxs = dx.data;
        for (int i = 0; i < n * steps * features; i++) {
            dxs.put(i, 0f);
        }
        for (int b = 0; b < n; b++) {
            int length = length(lengths, b, steps);
            if (length > 0) {
                dxs.put((b * steps + length - 1) * features, dy.data, b * features, features);
            }
        }
    }

    private static int length(IntBuffer lengths, int b, int steps) {
        int length = lengths == null ? steps : lengths.get(b);
        if (length < 0 || length > steps) {
            throw new IllegalArgumentException("length " + length + " of example " + b + " is outside [0, " + steps
                    + "]");
        }
        return length;
    }
}
