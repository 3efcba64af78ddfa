package org.dnnc.runtime.cpu;

/**
 * Gradient clipping over all of a network's parameter gradients at once, in place: gradient {@code
 * i} is the view {@code grads[i]} of {@code sizes[i]} elements. A training step calls it after the
 * backward pass has completed every gradient and before any parameter is updated, as PyTorch users
 * call {@code clip_grad_norm_} and {@code clip_grad_value_} between {@code backward()} and {@code
 * step()}; weight decay and L1 are added later, inside the update, so they are never clipped. The
 * CUDA twins ({@code org.dnnc.runtime.cuda.CudaClipping}) take the step gate's flag and clip only
 * in a step whose update applies, as a CPU step clips only then.
 */
public final class GradientClipping {

    /** PyTorch's {@code clip_grad_norm_} divides by the norm plus this, so that a zero norm is harmless. */
    private static final double NORM_EPS = 1e-6;

    private static final int CHUNK = Chunks.SIZE;

    private GradientClipping() {}

    /** The L2 norm of all gradients together, as if they were one vector; summed in double. */
    public static double globalNorm(Buf[] grads, int[] sizes) {
        float[] xs = Chunks.get().a;
        double sum = 0;
        for (int k = 0; k < grads.length; k++) {
            int n = sizes[k];
            for (int start = 0; start < n; start += CHUNK) {
                int len = Math.min(CHUNK, n - start);
                grads[k].data.get(start, xs, 0, len);
                for (int i = 0; i < len; i++) {
                    sum += (double) xs[i] * xs[i];
                }
            }
        }
        return Math.sqrt(sum);
    }

    /**
     * PyTorch's {@code clip_grad_norm_}: when the global norm exceeds {@code maxNorm}, every gradient
     * is scaled by {@code maxNorm / (norm + 1e-6)}, one factor for all, so their directions are kept.
     * A NaN or infinite norm, as there, turns the gradients into NaN or zero.
     *
     * @return the global norm before clipping
     */
    public static double clipNorm(Buf[] grads, int[] sizes, float maxNorm) {
        double norm = globalNorm(grads, sizes);
        double coef = maxNorm / (norm + NORM_EPS);
        if (!(coef >= 1)) {
            float scale = (float) coef;
            float[] xs = Chunks.get().a;
            for (int k = 0; k < grads.length; k++) {
                int n = sizes[k];
                for (int start = 0; start < n; start += CHUNK) {
                    int len = Math.min(CHUNK, n - start);
                    grads[k].data.get(start, xs, 0, len);
                    for (int i = 0; i < len; i++) {
                        xs[i] *= scale;
                    }
                    grads[k].data.put(start, xs, 0, len);
                }
            }
        }
        return norm;
    }

    /** PyTorch's {@code clip_grad_value_}: every element clamped to {@code [-limit, limit]}. */
    public static void clipValue(Buf[] grads, int[] sizes, float limit) {
        float[] xs = Chunks.get().a;
        for (int k = 0; k < grads.length; k++) {
            int n = sizes[k];
            for (int start = 0; start < n; start += CHUNK) {
                int len = Math.min(CHUNK, n - start);
                grads[k].data.get(start, xs, 0, len);
                for (int i = 0; i < len; i++) {
                    xs[i] = Math.max(-limit, Math.min(limit, xs[i]));
                }
                grads[k].data.put(start, xs, 0, len);
            }
        }
    }
}
