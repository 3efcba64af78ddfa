package org.dnnc.runtime.cpu;

/**
 * The dense (fully connected) layer with PyTorch's layout: {@code x [batch, in]}, {@code W [out,
 * in]}, {@code b [out]}, {@code y = act(x W^T + b) [batch, out]}. One GEMM each for forward, input
 * gradient and weight gradient; bias, activation and the bias gradient ride along in the
 * {@link Activations} epilogues.
 *
 * <p>A training step through one layer is, in order:
 *
 * <pre>{@code
 * Dense.forward(x, w, b, y, batch, in, out, act, param);           // y saved for backward
 * Activations.biasBackward(act, param, y, dy, dz, db, batch, out, false); // dz may be dy
 * Dense.backwardWeights(dz, x, dw, batch, in, out, false);
 * Dense.backwardInput(dz, w, dx, batch, in, out, false);           // skip for the first layer
 * }</pre>
 *
 * <p>The {@code accumulate} flags add to the gradient instead of overwriting it, for a weight
 * shared by two call sites or a value that feeds several layers; they cost nothing (GEMM's beta).
 */
public final class Dense {

    private Dense() {}

    /**
     * {@code y = act(x W^T + b)}; {@code bias} may be {@code null}. {@code y} must not overlap
     * {@code x} or {@code w}.
     */
    public static void forward(Buf x, Buf w, Buf bias, Buf y, int batch, int in, int out,
            Activation act, float param) {
        Blas.sgemm(false, true, batch, out, in, 1f, x, 0, in, w, 0, in, 0f, y, 0, out);
        if (bias != null || act != Activation.IDENTITY) {
            Activations.biasForward(act, param, y, bias, batch, out);
        }
    }

    /** {@code dx = dz W} ({@code dx += dz W} when {@code accumulate}), {@code dz [batch, out]}. */
    public static void backwardInput(Buf dz, Buf w, Buf dx, int batch, int in, int out, boolean accumulate) {
        Blas.sgemm(false, false, batch, in, out, 1f, dz, 0, out, w, 0, in, accumulate ? 1f : 0f, dx, 0, in);
    }

    /** {@code dW = dz^T x} ({@code dW += dz^T x} when {@code accumulate}), {@code dW [out, in]}. */
    public static void backwardWeights(Buf dz, Buf x, Buf dw, int batch, int in, int out, boolean accumulate) {
        Blas.sgemm(true, false, out, in, batch, 1f, dz, 0, out, x, 0, in, accumulate ? 1f : 0f, dw, 0, in);
    }

    /**
     * {@code db[c] = sum_r dz[r, c]} ({@code +=} when {@code accumulate}), for a layer without a
     * fused activation; with one, {@link Activations#biasBackward} computes it in the same pass.
     */
    public static void backwardBias(Buf dz, Buf db, int batch, int out, boolean accumulate) {
        Activations.biasBackward(Activation.IDENTITY, 0f, dz, dz, dz, db, batch, out, accumulate);
    }
}
