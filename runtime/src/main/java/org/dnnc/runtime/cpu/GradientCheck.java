package org.dnnc.runtime.cpu;

/**
 * Whether every element of a network's parameter gradients is a finite number. A training step
 * asks before it updates anything: a gradient that overflowed while the loss stayed finite would
 * otherwise write NaN or infinity into the weights, which no later step can undo.
 */
public final class GradientCheck {
    private GradientCheck() {}

    /**
     * Whether every element of the views {@code grads} is finite. One vectorised BLAS sum of absolute
     * values per view, which NaN and infinity poison (and a sum past the float range, which only a
     * diverging run reaches): a small part of a dense network's step, where a Java loop over the
     * elements cost several times more.
     */
    public static boolean allFinite(Buf[] grads) {
        for (Buf g : grads) {
            if (!Float.isFinite(Blas.sasum(g, g.size()))) {
                return false;
            }
        }
        return true;
    }

    /**
     * Whether the first {@code sizes[i]} elements of each view {@code grads[i]} are finite: for a
     * step whose sparse embedding gradients hold values only in their first rows (see {@link
     * EmbeddingRows#elements()}).
     */
    public static boolean allFinite(Buf[] grads, int[] sizes) {
        for (int i = 0; i < grads.length; i++) {
            if (!Float.isFinite(Blas.sasum(grads[i], sizes[i]))) {
                return false;
            }
        }
        return true;
    }
}
