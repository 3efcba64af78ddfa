package org.dnnc.runtime.cpu;

import java.nio.FloatBuffer;
import java.util.Arrays;

/**
 * Point-wise activations, forward and backward, alone or fused with a bias: the epilogue that
 * follows a GEMM so that bias, activation and (in backward) the bias gradient each cost no extra
 * pass over memory.
 *
 * <p>All sizes are element counts; {@code x}, {@code y}, {@code dy}, {@code dx} may be the same view
 * (every element is read before it is written). ReLU and identity, the common cases, have their own
 * loops ({@link #applyWithBias} one clamp loop for both); the others go through one switch per
 * element, which is cheap next to their {@code exp}.
 */
public final class Activations {

    private Activations() {}

    /** {@code y[i] = act(x[i])} for {@code i < n}. */
    public static void forward(Activation act, float param, Buf x, Buf y, int n) {
        FloatBuffer xs = x.data;
        FloatBuffer ys = y.data;
        switch (act) {
            case IDENTITY -> {
                if (xs != ys) {
                    ys.put(0, xs, 0, n);
                }
            }
            case RELU -> {
                // Staged through a heap chunk, where the max vectorises (3x faster than in place).
                float[] t = Chunks.get().a;
                for (int start = 0; start < n; start += Chunks.SIZE) {
                    int len = Math.min(Chunks.SIZE, n - start);
                    xs.get(start, t, 0, len);
                    for (int i = 0; i < len; i++) {
                        t[i] = Math.max(t[i], 0f);
                    }
                    ys.put(start, t, 0, len);
                }
            }
            default -> {
                for (int i = 0; i < n; i++) {
                    ys.put(i, apply(act, param, xs.get(i)));
                }
            }
        }
    }

    /**
     * The dense epilogue, in place: {@code y[r, c] = act(y[r, c] + bias[c])} for a {@code rows x
     * cols} row-major {@code y}; {@code bias} may be {@code null} (no bias).
     */
    public static void biasForward(Activation act, float param, Buf y, Buf bias, int rows, int cols) {
        if (bias != null || act != Activation.IDENTITY) {
            biasForwardColumns(act, param, y, bias, rows, 0, cols, cols);
        }
    }

    /**
     * {@link #biasForward} on the columns {@code [from, to)} of every row only. Each row is staged in
     * a heap array with the bias beside it, where the add and max vectorise: about 3x faster than
     * element-wise buffer access at [64, 256].
     */
    static void biasForwardColumns(Activation act, float param, Buf y, Buf bias, int rows, int from, int to,
            int cols) {
        int width = to - from;
        Chunks scratch = Chunks.get();
        float[] b = scratch.row(width);
        float[] row = scratch.row2(width);
        if (bias != null) {
            bias.data.get(from, b, 0, width);
        }
        FloatBuffer ys = y.data;
        for (int r = 0, o = from; r < rows; r++, o += cols) {
            ys.get(o, row, 0, width);
            switch (act) {
                case IDENTITY -> {
                    for (int c = 0; c < width; c++) {
                        row[c] += b[c];
                    }
                }
                case RELU -> {
                    for (int c = 0; c < width; c++) {
                        row[c] = Math.max(row[c] + b[c], 0f);
                    }
                }
                default -> {
                    for (int c = 0; c < width; c++) {
                        row[c] = apply(act, param, row[c] + b[c]);
                    }
                }
            }
            ys.put(o, row, 0, width);
        }
    }

    /**
     * {@code dx[i] = dy[i] * act'(x[i])}, computed from the saved output {@code y} (see {@link
     * Activation} for the rules and the sign conditions on {@code param}).
     */
    public static void backward(Activation act, float param, Buf y, Buf dy, Buf dx, int n) {
        checkParam(act, param);
        FloatBuffer ys = y.data;
        FloatBuffer dys = dy.data;
        FloatBuffer dxs = dx.data;
        switch (act) {
            case IDENTITY -> {
                if (dys != dxs) {
                    dxs.put(0, dys, 0, n);
                }
            }
            case RELU -> {
                // Staged in heap chunks and masked without a branch (see BatchNorm.reluMask): the
                // sign of y is a coin flip, and element-wise buffer access does not vectorise.
                Chunks s = Chunks.get();
                float[] yt = s.a;
                float[] gt = s.b;
                for (int start = 0; start < n; start += Chunks.SIZE) {
                    int len = Math.min(Chunks.SIZE, n - start);
                    ys.get(start, yt, 0, len);
                    dys.get(start, gt, 0, len);
                    BatchNorm.reluMask(yt, gt, len);
                    dxs.put(start, gt, 0, len);
                }
            }
            default -> {
                for (int i = 0; i < n; i++) {
                    dxs.put(i, dys.get(i) * derivative(act, param, ys.get(i)));
                }
            }
        }
    }

    /**
     * The dense backward epilogue in one pass: {@code dz = dy * act'(y)} (from the saved output
     * {@code y}, {@code rows x cols}) and {@code db[c] = sum_r dz[r, c]} ({@code db += ...} when
     * {@code accumulateBias}); {@code dz} may be {@code dy}, and {@code db} may be {@code null}.
     */
    public static void biasBackward(Activation act, float param, Buf y, Buf dy, Buf dz, Buf db,
            int rows, int cols, boolean accumulateBias) {
        if (db == null) {
            backward(act, param, y, dy, dz, rows * cols);
            return;
        }
        checkParam(act, param);
        FloatBuffer ys = y.data;
        FloatBuffer dys = dy.data;
        FloatBuffer dzs = dz.data;
        // Column sums go to a heap row first: summing into db directly would read and write the
        // buffer once per element.
        Chunks s = Chunks.get();
        float[] sum = s.row(cols);
        switch (act) {
            case IDENTITY, RELU -> {
                // Row by row on the heap, where the mask and the sums vectorise.
                float[] g = s.row2(cols);
                float[] yt = act == Activation.RELU ? s.row3(cols) : null;
                for (int r = 0, o = 0; r < rows; r++, o += cols) {
                    dys.get(o, g, 0, cols);
                    if (yt != null) {
                        ys.get(o, yt, 0, cols);
                        BatchNorm.reluMask(yt, g, cols);
                    }
                    if (yt != null || dzs != dys) {
                        dzs.put(o, g, 0, cols);
                    }
                    for (int c = 0; c < cols; c++) {
                        sum[c] += g[c];
                    }
                }
            }
            default -> {
                for (int r = 0, o = 0; r < rows; r++, o += cols) {
                    for (int c = 0; c < cols; c++) {
                        float g = dys.get(o + c) * derivative(act, param, ys.get(o + c));
                        dzs.put(o + c, g);
                        sum[c] += g;
                    }
                }
            }
        }
        FloatBuffer dbs = db.data;
        for (int c = 0; c < cols; c++) {
            dbs.put(c, accumulateBias ? dbs.get(c) + sum[c] : sum[c]);
        }
    }

    /**
     * Per activation, by ordinal: the floor that {@code max(t, floor)} clamps to where that is the
     * whole activation ({@code -Infinity} for the identity, 0 for ReLU), else NaN.
     */
    private static final float[] CLAMP_FLOOR = clampFloors();

    private static float[] clampFloors() {
        float[] floors = new float[Activation.values().length];
        Arrays.fill(floors, Float.NaN);
        floors[Activation.IDENTITY.ordinal()] = Float.NEGATIVE_INFINITY;
        floors[Activation.RELU.ordinal()] = 0f;
        return floors;
    }

    /**
     * {@code row[i] = act(row[i] + b)} for {@code i < len}. The identity and ReLU share one loop that
     * vectorises, {@code max(t, floor)}, which is {@code t} itself for a floor of {@code -Infinity}
     * (NaN and -0 included): a convolution's epilogue gets the identity in training (batch norm
     * follows) and ReLU at inference (batch norm folded in), and a branch between the two, compiled
     * for training's, deoptimized the caller at the first evaluation.
     */
    static void applyWithBias(Activation act, float param, float[] row, int len, float b) {
        float floor = CLAMP_FLOOR[act.ordinal()];
        if (floor == floor) {
            for (int i = 0; i < len; i++) {
                row[i] = Math.max(row[i] + b, floor);
            }
        } else {
            for (int i = 0; i < len; i++) {
                row[i] = apply(act, param, row[i] + b);
            }
        }
    }

    /**
     * {@code row[i] = act(row[i] + bias[i])} for {@code from <= i < to}, as {@link #applyWithBias} with
     * a bias per element.
     */
    static void applyWithBiasRow(Activation act, float param, float[] row, float[] bias, int from, int to) {
        float floor = CLAMP_FLOOR[act.ordinal()];
        if (floor == floor) {
            for (int i = from; i < to; i++) {
                row[i] = Math.max(row[i] + bias[i], floor);
            }
        } else {
            for (int i = from; i < to; i++) {
                row[i] = apply(act, param, row[i] + bias[i]);
            }
        }
    }

    /** The activation of one value. */
    static float apply(Activation act, float param, float t) {
        switch (act) {
            case IDENTITY:
                return t;
            case RELU:
                return Math.max(t, 0f);
            case LEAKY_RELU:
                return t > 0f ? t : param * t;
            case ELU:
                return t > 0f ? t : param * (float) Math.expm1(t);
            case SIGMOID:
                return sigmoid(t);
            case TANH:
                return (float) Math.tanh(t);
            default:
                throw new AssertionError(act);
        }
    }

    /** The derivative at the input whose output is {@code y}. */
    static float derivative(Activation act, float param, float y) {
        switch (act) {
            case IDENTITY:
                return 1f;
            case RELU:
                return y > 0f ? 1f : 0f;
            case LEAKY_RELU:
                return y > 0f ? 1f : param;
            case ELU:
                return y > 0f ? 1f : y + param;
            case SIGMOID:
                return y * (1f - y);
            case TANH:
                return 1f - y * y;
            default:
                throw new AssertionError(act);
        }
    }

    /** The logistic function without overflow for large {@code |t|}. */
    static float sigmoid(float t) {
        if (t >= 0f) {
            return (float) (1.0 / (1.0 + Math.exp(-t)));
        }
        double e = Math.exp(t);
        return (float) (e / (1.0 + e));
    }

    private static void checkParam(Activation act, float param) {
        // The backward rules read the sign of the input off the output; see Activation.
        if (act == Activation.LEAKY_RELU && !(param >= 0f)) {
            throw new IllegalArgumentException("leaky_relu backward from the output needs slope >= 0, got " + param);
        }
        if (act == Activation.ELU && !(param > 0f)) {
            throw new IllegalArgumentException("elu backward from the output needs alpha > 0, got " + param);
        }
    }
}
