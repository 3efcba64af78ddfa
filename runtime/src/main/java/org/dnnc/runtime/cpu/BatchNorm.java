package org.dnnc.runtime.cpu;

import java.nio.FloatBuffer;
import java.util.Arrays;

/**
 * Batch normalization over {@code x [N, C, spatial]} per channel: {@code [N, C]} (spatial 1,
 * {@code BatchNorm1d} on features), {@code [N, C, L]} or {@code [N, C, H, W]} (spatial {@code H*W}),
 * with PyTorch's numerics: {@code y = (x - mean) / sqrt(var + eps) * gamma + beta}.
 *
 * <ul>
 *   <li>{@link #forwardTraining} normalizes with the batch's mean and <em>biased</em> variance
 *       (over {@code M = N * spatial} values), saves the mean and {@code invStd = 1 / sqrt(var +
 *       eps)} for backward, and updates the running statistics with {@code momentum} (PyTorch's
 *       0.1): {@code running = (1 - momentum) running + momentum * stat}, where the variance stat is
 *       the <em>unbiased</em> one, {@code var * M / (M - 1)}.
 *   <li>{@link #forwardInference} normalizes with the running statistics.
 *   <li>{@link #backward} and {@link #backwardInference} give {@code dx}, {@code dgamma} and
 *       {@code dbeta} of the matching forward pass; {@link #backwardInputInference} gives {@code dx}
 *       alone, for a frozen layer.
 * </ul>
 *
 * <p>Every kernel can fuse a ReLU after the normalization ({@code relu = true}): forward writes
 * {@code max(bn(x), 0)}, and backward masks {@code dy} with the saved output {@code y > 0} in the
 * same passes, so BN + ReLU costs what BN alone costs. Without ReLU, {@code y} is not read by
 * backward and may be {@code null}.
 *
 * <p>Each example's {@code C * spatial} values are staged on the heap at once, so the loops run over
 * arrays; sums over the batch are kept per position in float for up to 32 examples, then per
 * channel in {@code double}. Per-channel constants (mean, scale, shift) are repeated over their
 * channel's positions once per call, so that every loop runs over a whole example ({@code C *
 * spatial} values) rather than one channel's {@code spatial}: on 4x4 and 7x7 maps a per-channel
 * loop is too short for C2's vectorised loop body and runs mostly in its scalar pre- and
 * post-loops. No scratch view is needed and nothing is allocated per call. {@code y} may be {@code
 * x}, and {@code dx} may be {@code dy}.
 *
 * <p>In a {@link CpuContext} of two threads every pass over the batch runs in two halves of
 * examples side by side; the per-channel sums of each half are added at the end, so results can
 * differ from one thread's in the last bits of those sums.
 */
public final class BatchNorm {

    private static final int X = 0;
    private static final int DY = 1;
    private static final int Y = 2;
    private static final int OUT = 3;
    private static final int SCALE = 4;
    private static final int SHIFT = 5;
    private static final int A = 6;
    private static final int B = 7;
    private static final int DX = 8;
    private static final int SUM_A = 9;
    private static final int SUM_B = 10;
    // Per-channel values repeated over the channel's positions (see perPosition); 11 to 15 are
    // BatchNormPool's, which calls into this class.
    private static final int ROW_A = 16;
    private static final int ROW_B = 17;
    private static final int ROW_C = 18;
    private static final int ROW_D = 19;

    /**
     * Examples summed per position in float before the sums move to the {@code double} totals: the
     * per-position adds use the same index on every array and vectorise, where one running sum per
     * channel waits on each add; flushing every so many examples bounds the float rounding.
     */
    static final int FLUSH_EVERY = 32;

    private static final int STATISTICS = 0;
    private static final int AFFINE = 1;
    private static final int GRADIENT_SUMS = 2;
    private static final int INPUT_GRADIENT = 3;

    private static final ThreadLocal<Job> JOB = ThreadLocal.withInitial(Job::new);

    private BatchNorm() {}

    /**
     * The training forward pass with batch statistics (see the class comment). {@code runningMean}
     * and {@code runningVar} ({@code [C]}) are updated in place, or left alone when {@code null};
     * {@code saved} ({@code [2, C]}) receives the batch mean and then {@code 1 / sqrt(var + eps)} for
     * {@link #backward}, or is skipped when {@code null} (backward then recomputes them).
     *
     * @throws IllegalArgumentException if a channel has fewer than two values ({@code batch *
     *     spatial < 2}), as in PyTorch
     */
    public static void forwardTraining(Buf x, Buf gamma, Buf beta, Buf runningMean, Buf runningVar, Buf y,
            Buf saved, int batch, int channels, int spatial, float momentum, float eps, boolean relu) {
        forwardTraining(x, gamma, beta, runningMean, runningVar, y, saved, null, batch, channels,
                spatial, momentum, eps, relu);
    }

    /**
     * {@link #forwardTraining(Buf, Buf, Buf, Buf, Buf, Buf, Buf, int, int, int, float, float,
     * boolean)} with a residual added in the same pass: {@code y = bn(x) + residual} (then ReLU), the
     * end of a residual block; {@code residual} ({@code [N, C, spatial]} like x) may be {@code null}
     * and must not overlap {@code y}.
     */
    public static void forwardTraining(Buf x, Buf gamma, Buf beta, Buf runningMean, Buf runningVar, Buf y,
            Buf saved, Buf residual, int batch, int channels, int spatial, float momentum, float eps,
            boolean relu) {
        forwardTraining(x, gamma, beta, runningMean, runningVar, y, saved, residual, batch, channels, spatial,
                momentum, eps, relu, Layout.NCHW);
    }

    /**
     * {@link #forwardTraining(Buf, Buf, Buf, Buf, Buf, Buf, Buf, Buf, int, int, int, float, float,
     * boolean)} on activations ({@code x}, {@code y}, {@code residual}) in {@code layout}.
     */
    public static void forwardTraining(Buf x, Buf gamma, Buf beta, Buf runningMean, Buf runningVar, Buf y,
            Buf saved, Buf residual, int batch, int channels, int spatial, float momentum, float eps,
            boolean relu, Layout layout) {
        layout.check(channels);
        checkCount(batch, spatial);
        if (layout == Layout.NCHW16C && OneDnnNorm.forward(x, gamma, beta, runningMean, runningVar, y, saved, residual,
                batch, channels, spatial, momentum, eps, relu)) {
            return;
        }
        Staging s = Staging.get();
        float[] scale = s.floats(SCALE, channels);
        float[] shift = s.floats(SHIFT, channels);
        trainingScaleShift(x, gamma, beta, runningMean, runningVar, saved, batch, channels, spatial, momentum, eps,
                scale, shift, null, null, layout);
        affine(x, residual, y, scale, shift, batch, channels, spatial, relu, layout);
    }

    /**
     * The batch statistics of {@code x} as {@link #forwardTraining} takes them, into the affine form
     * {@code y = x * scale[c] + shift[c]}; the running statistics are updated and the mean and
     * {@code invStd} saved (in the buffer {@code saved [2, C]}, and as arrays {@code meanOut}, {@code
     * invStdOut}) where those are not {@code null}. Staging's double slots 0 and 1 and float slots of
     * {@link #statistics} are used.
     */
    static void trainingScaleShift(Buf x, Buf gamma, Buf beta, Buf runningMean, Buf runningVar, Buf saved,
            int batch, int channels, int spatial, float momentum, float eps, float[] scale,
            float[] shift, float[] meanOut, float[] invStdOut, Layout layout) {
        checkCount(batch, spatial);
        long count = (long) batch * spatial;
        Staging s = Staging.get();
        double[] mean = s.zeroDoubles(0, channels);
        double[] var = s.zeroDoubles(1, channels);
        statistics(x, batch, channels, spatial, mean, var, layout);
        // One loop per optional output, each outside the others: a loop that tested which outputs
        // this caller wants (callers differ within one step) made C2 hoist those tests on the
        // profile and deoptimize when the next caller differed (profile_predicate traps).
        for (int c = 0; c < channels; c++) {
            float invStd = invStd(var[c], eps);
            // PyTorch's form: y = x * alpha + beta' with alpha = invStd * gamma, beta' = beta - mean * alpha.
            scale[c] = invStd * gamma.data.get(c);
            shift[c] = beta.data.get(c) - (float) mean[c] * scale[c];
        }
        if (meanOut != null) {
            for (int c = 0; c < channels; c++) {
                meanOut[c] = (float) mean[c];
                invStdOut[c] = invStd(var[c], eps);
            }
        }
        if (saved != null) {
            for (int c = 0; c < channels; c++) {
                saved.data.put(c, (float) mean[c]);
                saved.data.put(channels + c, invStd(var[c], eps));
            }
        }
        if (runningMean != null) {
            for (int c = 0; c < channels; c++) {
                runningMean.data.put(c, (1f - momentum) * runningMean.data.get(c) + momentum * (float) mean[c]);
            }
        }
        if (runningVar != null) {
            for (int c = 0; c < channels; c++) {
                float unbiased = (float) (var[c] * count / (count - 1));
                runningVar.data.put(c, (1f - momentum) * runningVar.data.get(c) + momentum * unbiased);
            }
        }
    }

    private static void checkCount(int batch, int spatial) {
        long count = (long) batch * spatial;
        if (count < 2) {
            throw new IllegalArgumentException("batch normalization in training needs more than one value per channel, got "
                    + count + " (batch " + batch + " x " + spatial + ")");
        }
    }

    /**
     * {@link #trainingScaleShift}'s {@code scale}, {@code shift}, {@code meanOut} and {@code
     * invStdOut} from the statistics it saved in {@code saved [2, C]}: the same floats, without a
     * pass over {@code x}.
     */
    static void savedScaleShift(Buf saved, Buf gamma, Buf beta, int channels, float[] scale, float[] shift,
            float[] meanOut, float[] invStdOut) {
        saved.data.get(0, meanOut, 0, channels);
        saved.data.get(channels, invStdOut, 0, channels);
        for (int c = 0; c < channels; c++) {
            scale[c] = invStdOut[c] * gamma.data.get(c);
            shift[c] = beta.data.get(c) - meanOut[c] * scale[c];
        }
    }

    /** {@code 1 / sqrt(var + eps)} of a channel's batch variance, as every training pass rounds it. */
    private static float invStd(double var, float eps) {
        return (float) (1.0 / Math.sqrt(var + eps));
    }

    /** The inference forward pass: {@code y = (x - runningMean) / sqrt(runningVar + eps) * gamma + beta}. */
    public static void forwardInference(Buf x, Buf gamma, Buf beta, Buf runningMean, Buf runningVar, Buf y,
            int batch, int channels, int spatial, float eps, boolean relu) {
        Staging s = Staging.get();
        float[] scale = s.floats(SCALE, channels);
        float[] shift = s.floats(SHIFT, channels);
        for (int c = 0; c < channels; c++) {
            float invStd = (float) (1.0 / Math.sqrt(runningVar.data.get(c) + (double) eps));
            scale[c] = invStd * gamma.data.get(c);
            shift[c] = beta.data.get(c) - runningMean.data.get(c) * scale[c];
        }
        affine(x, null, y, scale, shift, batch, channels, spatial, relu, Layout.NCHW);
    }

    /**
     * The input gradient of {@link #forwardInference} without ReLU, which a frozen layer needs when
     * something trained lies before it: {@code dx = dy * gamma / sqrt(runningVar + eps)} (the
     * statistics are constants). {@code dx} may be {@code dy}.
     */
    public static void backwardInputInference(Buf dy, Buf gamma, Buf runningVar, Buf dx, int batch, int channels,
            int spatial, float eps) {
        Staging s = Staging.get();
        float[] scale = s.floats(SCALE, channels);
        float[] shift = s.floats(SHIFT, channels);
        for (int c = 0; c < channels; c++) {
            scale[c] = (float) (gamma.data.get(c) / Math.sqrt(runningVar.data.get(c) + (double) eps));
            shift[c] = 0f;
        }
        affine(dy, null, dx, scale, shift, batch, channels, spatial, false, Layout.NCHW);
    }

    /**
     * The training backward pass, with {@code xhat = (x - mean) * invStd} and {@code g = dy} (masked
     * by {@code y > 0} when {@code relu}): {@code dbeta = sum g}, {@code dgamma = sum g * xhat}, and
     * {@code dx = gamma * invStd / M * (M g - dbeta - xhat * dgamma)}.
     *
     * <p>{@code saved} ({@code [2, C]}) is what {@link #forwardTraining} saved; when it is {@code
     * null} the mean and {@code invStd} are recomputed from {@code x} with {@code eps} (one more pass
     * over {@code x}). Any of {@code dx}, {@code dgamma}, {@code dbeta} may be {@code null} (not needed),
     * and {@code gamma} too when {@code dx} is; {@code accumulateInput} adds to {@code dx}, {@code
     * accumulateParams} to {@code dgamma} and {@code dbeta}. {@code dx} may be {@code dy}. One call
     * computes all three gradients in two passes over the example data; separate calls for {@code
     * dx} and for {@code dgamma} repeat the first pass (and the statistics, when not saved).
     */
    public static void backward(Buf x, Buf y, Buf dy, Buf gamma, Buf saved, Buf dx, Buf dgamma, Buf dbeta,
            int batch, int channels, int spatial, float eps, boolean relu, boolean accumulateInput,
            boolean accumulateParams) {
        backward(x, y, dy, gamma, saved, dx, dgamma, dbeta, batch, channels, spatial, eps, relu, accumulateInput,
                accumulateParams, Layout.NCHW);
    }

    /**
     * {@link #backward(Buf, Buf, Buf, Buf, Buf, Buf, Buf, Buf, int, int, int, float, boolean, boolean,
     * boolean)} on activations ({@code x}, {@code y}, {@code dy}, {@code dx}) in {@code layout}.
     */
    public static void backward(Buf x, Buf y, Buf dy, Buf gamma, Buf saved, Buf dx, Buf dgamma, Buf dbeta,
            int batch, int channels, int spatial, float eps, boolean relu, boolean accumulateInput,
            boolean accumulateParams, Layout layout) {
        layout.check(channels);
        if (layout == Layout.NCHW16C && saved != null && gamma != null && !accumulateInput && !accumulateParams
                && OneDnnNorm.backward(x, y, dy, gamma, saved, dx, dgamma, dbeta, batch, channels, spatial, eps,
                        relu)) {
            return;
        }
        Staging s = Staging.get();
        float[] mean = s.floats(SCALE, channels);
        float[] invStd = s.floats(SHIFT, channels);
        if (saved == null) {
            double[] m = s.zeroDoubles(0, channels);
            double[] v = s.zeroDoubles(1, channels);
            statistics(x, batch, channels, spatial, m, v, layout);
            for (int c = 0; c < channels; c++) {
                mean[c] = (float) m[c];
                invStd[c] = invStd(v[c], eps);
            }
        } else {
            saved.data.get(0, mean, 0, channels);
            saved.data.get(channels, invStd, 0, channels);
        }
        double[] sumG = s.zeroDoubles(2, channels);
        double[] sumGX = s.zeroDoubles(3, channels);
        // With ReLU, pass 1 leaves the masked gradient in dx (when dx is overwritten anyway), so that
        // pass 2 reads it instead of masking again.
        Buf masked = relu && dx != null && !accumulateInput ? dx : null;
        gradientSums(x, y, dy, masked, mean, batch, channels, spatial, relu, sumG, sumGX, layout);
        if (dx != null) {
            if (masked != null) {
                inputGradient(x, null, dx, dx, gamma, mean, invStd, sumG, sumGX, batch, channels, spatial, false,
                        layout);
            } else {
                inputGradient(x, relu ? y : null, dy, dx, gamma, mean, invStd, sumG, sumGX, batch, channels, spatial,
                        accumulateInput, layout);
            }
        }
        writeParamGrads(sumG, sumGX, invStd, dgamma, dbeta, channels, accumulateParams);
    }

    /**
     * {@link #backward}'s input gradient from the sums of its first pass, PyTorch's
     * batch_norm_backward: {@code dx (+)= k (g - a - (x - mean) b)} with {@code k = gamma invStd},
     * {@code a = sumG / M} and {@code b = invStd^2 sumGX / M}, where {@code g} is {@code dy}, masked
     * by {@code y > 0} unless {@code y} is {@code null}. Uses float staging slots 0 to 3 and 6 to 8.
     */
    static void inputGradient(Buf x, Buf y, Buf dy, Buf dx, Buf gamma, float[] mean, float[] invStd, double[] sumG,
            double[] sumGX, int batch, int channels, int spatial, boolean accumulate, Layout layout) {
        Staging s = Staging.get();
        double count = (double) batch * spatial;
        float[] k = s.floats(OUT, channels);
        float[] a = s.floats(A, channels);
        float[] b = s.floats(B, channels);
        for (int c = 0; c < channels; c++) {
            k[c] = gamma.data.get(c) * invStd[c];
            a[c] = (float) (sumG[c] / count);
            b[c] = (float) (sumGX[c] * invStd[c] * invStd[c] / count);
        }
        inputGradient(x, y, dy, dx, mean, k, a, b, batch, channels, spatial, y != null, accumulate, layout);
    }

    /**
     * The backward pass of {@link #forwardInference} (fine-tuning with frozen statistics): with
     * {@code invStd = 1 / sqrt(runningVar + eps)} and {@code g} as in {@link #backward}, {@code dx =
     * g * gamma * invStd}, {@code dgamma = sum g * (x - runningMean) * invStd}, {@code dbeta = sum g}.
     * Nullable outputs, accumulate flags and aliasing as in {@link #backward}.
     */
    public static void backwardInference(Buf x, Buf y, Buf dy, Buf gamma, Buf runningMean, Buf runningVar, Buf dx,
            Buf dgamma, Buf dbeta, int batch, int channels, int spatial, float eps, boolean relu,
            boolean accumulateInput, boolean accumulateParams) {
        Staging s = Staging.get();
        float[] mean = s.floats(SCALE, channels);
        float[] invStd = s.floats(SHIFT, channels);
        runningMean.data.get(0, mean, 0, channels);
        for (int c = 0; c < channels; c++) {
            invStd[c] = (float) (1.0 / Math.sqrt(runningVar.data.get(c) + (double) eps));
        }
        double[] sumG = s.zeroDoubles(2, channels);
        double[] sumGX = s.zeroDoubles(3, channels);
        if (dgamma != null || dbeta != null) {
            gradientSums(x, y, dy, null, mean, batch, channels, spatial, relu, sumG, sumGX, Layout.NCHW);
        }
        if (dx != null) {
            float[] k = s.floats(OUT, channels);
            float[] zero = s.floats(A, channels);
            Arrays.fill(zero, 0, channels, 0f);
            for (int c = 0; c < channels; c++) {
                k[c] = gamma.data.get(c) * invStd[c];
            }
            inputGradient(x, y, dy, dx, mean, k, zero, zero, batch, channels, spatial, relu, accumulateInput,
                    Layout.NCHW);
        }
        writeParamGrads(sumG, sumGX, invStd, dgamma, dbeta, channels, accumulateParams);
    }

    /**
     * {@code sumG[c] += sum g}, {@code sumGX[c] += sum g (x - mean[c])}, with {@code g} as in {@link
     * #backward}; {@code g} is also written to {@code masked} unless that is {@code null}.
     */
    private static void gradientSums(Buf x, Buf y, Buf dy, Buf masked, float[] mean, int batch, int channels, int spatial,
            boolean relu, double[] sumG, double[] sumGX, Layout layout) {
        float[] meanRow = perPosition(mean, channels, spatial, ROW_A, layout);
        if (split(batch)) {
            Job job = JOB.get();
            job.set(GRADIENT_SUMS, x, y, dy, masked, channels, spatial, batch, relu, false);
            job.layout = layout;
            job.mean = meanRow;
            job.run2();
            job.addPartials(sumG, sumGX, channels);
        } else {
            gradientSumsRange(x, y, dy, masked, meanRow, 0, batch, channels, spatial, relu, sumG, sumGX, layout);
        }
    }

    /** {@link #gradientSums} over examples {@code [from, to)}, with the mean per position. */
    private static void gradientSumsRange(Buf x, Buf y, Buf dy, Buf masked, float[] meanRow, int from, int to,
            int channels, int spatial, boolean relu, double[] sumG, double[] sumGX, Layout layout) {
        int row = channels * spatial;
        Staging s = Staging.get();
        float[] xt = s.floats(X, row);
        float[] gt = s.floats(DY, row);
        float[] yt = relu ? s.floats(Y, row) : null;
        float[] accA = s.floats(SUM_A, row);
        float[] accB = s.floats(SUM_B, row);
        for (int start = from; start < to; start += FLUSH_EVERY) {
            Arrays.fill(accA, 0, row, 0f);
            Arrays.fill(accB, 0, row, 0f);
            for (int n = start, end = Math.min(to, start + FLUSH_EVERY); n < end; n++) {
                x.data.get(n * row, xt, 0, row);
                dy.data.get(n * row, gt, 0, row);
                if (relu) {
                    y.data.get(n * row, yt, 0, row);
                    reluMask(yt, gt, row);
                    if (masked != null) {
                        masked.data.put(n * row, gt, 0, row);
                    }
                }
                for (int p = 0; p < row; p++) {
                    accA[p] += gt[p];
                    accB[p] += gt[p] * (xt[p] - meanRow[p]);
                }
            }
            flush(accA, accB, channels, spatial, sumG, sumGX, layout);
        }
    }

    /** {@code dx (+)= k[c] (g - a[c] - (x - mean[c]) b[c])}, staged one example at a time. */
    private static void inputGradient(Buf x, Buf y, Buf dy, Buf dx, float[] mean, float[] k, float[] a, float[] b,
            int batch, int channels, int spatial, boolean relu, boolean accumulate, Layout layout) {
        float[] meanRow = perPosition(mean, channels, spatial, ROW_A, layout);
        float[] kRow = perPosition(k, channels, spatial, ROW_B, layout);
        float[] aRow = perPosition(a, channels, spatial, ROW_C, layout);
        float[] bRow = perPosition(b, channels, spatial, ROW_D, layout);
        if (split(batch)) {
            Job job = JOB.get();
            job.set(INPUT_GRADIENT, x, y, dy, dx, channels, spatial, batch, relu, accumulate);
            job.mean = meanRow;
            job.k = kRow;
            job.a = aRow;
            job.b = bRow;
            job.run2();
        } else {
            inputGradientRange(x, y, dy, dx, meanRow, kRow, aRow, bRow, 0, batch, channels, spatial, relu, accumulate);
        }
    }

    /** {@link #inputGradient} over examples {@code [from, to)}, with its constants per position. */
    private static void inputGradientRange(Buf x, Buf y, Buf dy, Buf dx, float[] mean, float[] k, float[] a, float[] b,
            int from, int to, int channels, int spatial, boolean relu, boolean accumulate) {
        int row = channels * spatial;
        Staging s = Staging.get();
        float[] xt = s.floats(X, row);
        float[] gt = s.floats(DY, row);
        float[] yt = relu ? s.floats(Y, row) : null;
        float[] out = s.floats(DX, row);
        for (int n = from; n < to; n++) {
            x.data.get(n * row, xt, 0, row);
            dy.data.get(n * row, gt, 0, row);
            if (relu) {
                y.data.get(n * row, yt, 0, row);
                reluMask(yt, gt, row);
            }
            if (accumulate) {
                dx.data.get(n * row, out, 0, row);
            }
            if (accumulate) {
                for (int p = 0; p < row; p++) {
                    out[p] += k[p] * (gt[p] - a[p] - (xt[p] - mean[p]) * b[p]);
                }
            } else {
                for (int p = 0; p < row; p++) {
                    out[p] = k[p] * (gt[p] - a[p] - (xt[p] - mean[p]) * b[p]);
                }
            }
            dx.data.put(n * row, out, 0, row);
        }
    }

    /** {@code dbeta (+)= sumG}, {@code dgamma (+)= sumGX * invStd}; either may be {@code null}. */
    static void writeParamGrads(double[] sumG, double[] sumGX, float[] invStd, Buf dgamma, Buf dbeta,
            int channels, boolean accumulate) {
        for (int c = 0; c < channels; c++) {
            if (dgamma != null) {
                float v = (float) (sumGX[c] * invStd[c]);
                dgamma.data.put(c, accumulate ? dgamma.data.get(c) + v : v);
            }
            if (dbeta != null) {
                float v = (float) sumG[c];
                dbeta.data.put(c, accumulate ? dbeta.data.get(c) + v : v);
            }
        }
    }

    /**
     * {@code g[i] = y[i] > 0 ? g[i] : 0} without a branch: ReLU outputs are positive or zero about
     * half the time each, so the branch would be mispredicted about half the time, which made the
     * fused BN + ReLU backward 8x slower than BN alone. The sign test is done on the bits instead:
     * {@code (-b & ~b) < 0} exactly when {@code b}, the bits of {@code y}, is a positive int, that is
     * when {@code y > 0} (or a positive NaN, which a ReLU output never is).
     */
    static void reluMask(float[] y, float[] g, int n) {
        for (int i = 0; i < n; i++) {
            int b = Float.floatToRawIntBits(y[i]);
            int mask = (-b & ~b) >> 31;
            g[i] = Float.intBitsToFloat(Float.floatToRawIntBits(g[i]) & mask);
        }
    }

    /** Per-channel mean and biased variance of {@code x}, into zeroed {@code mean} and {@code var}. */
    static void statistics(Buf x, int batch, int channels, int spatial, double[] mean, double[] var, Layout layout) {
        // Sums of (x - first value of the channel): a shift near the data keeps the one-pass variance
        // E[d^2] - E[d]^2 free of cancellation when the mean is large against the spread.
        float[] first = Staging.get().floats(OUT, channels);
        for (int c = 0; c < channels; c++) {
            first[c] = x.data.get(Blocked.first(layout, c, spatial));
        }
        float[] firstRow = perPosition(first, channels, spatial, ROW_A, layout);
        if (split(batch)) {
            Job job = JOB.get();
            job.set(STATISTICS, x, null, null, null, channels, spatial, batch, false, false);
            job.layout = layout;
            job.mean = firstRow;
            job.run2();
            job.addPartials(mean, var, channels);
        } else {
            statisticsRange(x, 0, batch, channels, spatial, firstRow, mean, var, layout);
        }
        double count = (double) batch * spatial;
        for (int c = 0; c < channels; c++) {
            double m = mean[c] / count;
            var[c] = Math.max(var[c] / count - m * m, 0.0);
            mean[c] = first[c] + m;
        }
    }

    /**
     * Adds the sums of {@code x - first[c]} and of its squares over examples {@code [from, to)};
     * {@code firstRow} is {@code first} per position.
     */
    private static void statisticsRange(Buf x, int from, int to, int channels, int spatial, float[] firstRow,
            double[] sum, double[] squares, Layout layout) {
        int row = channels * spatial;
        Staging s = Staging.get();
        float[] t = s.floats(X, row);
        float[] accA = s.floats(SUM_A, row);
        float[] accB = s.floats(SUM_B, row);
        FloatBuffer xs = x.data;
        for (int start = from; start < to; start += FLUSH_EVERY) {
            Arrays.fill(accA, 0, row, 0f);
            Arrays.fill(accB, 0, row, 0f);
            for (int n = start, end = Math.min(to, start + FLUSH_EVERY); n < end; n++) {
                xs.get(n * row, t, 0, row);
                for (int p = 0; p < row; p++) {
                    float d = t[p] - firstRow[p];
                    accA[p] += d;
                    accB[p] += d * d;
                }
            }
            flush(accA, accB, channels, spatial, sum, squares, layout);
        }
    }

    /** {@code a[c] += the sum of channel c's positions in accA}, and the same for {@code b} and {@code accB}. */
    private static void flush(float[] accA, float[] accB, int channels, int spatial, double[] a, double[] b,
            Layout layout) {
        addChannelSums(accA, channels, spatial, a, layout);
        addChannelSums(accB, channels, spatial, b, layout);
    }

    /**
     * {@code sums[c] +=} the {@code spatial} per-position partial sums of channel {@code c} in {@code
     * acc}, in {@code double}: the end of the per-position summing that {@link #FLUSH_EVERY} bounds.
     */
    static void addChannelSums(float[] acc, int channels, int spatial, double[] sums, Layout layout) {
        if (layout == Layout.NCHW16C) {
            addBlockedSums(acc, channels, spatial, sums);
            return;
        }
        for (int c = 0, o = 0; c < channels; c++, o += spatial) {
            double sum = 0;
            for (int p = o; p < o + spatial; p++) {
                sum += acc[p];
            }
            sums[c] += sum;
        }
    }

    /** {@link #addChannelSums} over an example in {@link Layout#NCHW16C}: a block's 16 channels side by side. */
    private static void addBlockedSums(float[] acc, int channels, int spatial, double[] sums) {
        for (int cb = 0; cb < channels; cb += Layout.BLOCK) {
            for (int p = cb * spatial, end = p + spatial * Layout.BLOCK; p < end; p += Layout.BLOCK) {
                for (int l = 0; l < Layout.BLOCK; l++) {
                    sums[cb + l] += acc[p + l];
                }
            }
        }
    }

    /** {@code y = x * scale[c] + shift[c] (+ residual)} (then ReLU), staged one example at a time. */
    private static void affine(Buf x, Buf residual, Buf y, float[] scale, float[] shift, int batch, int channels,
            int spatial, boolean relu, Layout layout) {
        float[] scaleRow = perPosition(scale, channels, spatial, ROW_A, layout);
        float[] shiftRow = perPosition(shift, channels, spatial, ROW_B, layout);
        if (split(batch)) {
            Job job = JOB.get();
            job.set(AFFINE, x, null, null, y, channels, spatial, batch, relu, false);
            job.residual = residual;
            job.k = scaleRow;
            job.a = shiftRow;
            job.run2();
        } else {
            affineRange(x, residual, y, scaleRow, shiftRow, 0, batch, channels, spatial, relu);
        }
    }

    /** {@link #affine} over examples {@code [from, to)}, with {@code scale} and {@code shift} per position. */
    private static void affineRange(Buf x, Buf residual, Buf y, float[] scale, float[] shift, int from, int to,
            int channels, int spatial, boolean relu) {
        int row = channels * spatial;
        Staging s = Staging.get();
        float[] t = s.floats(X, row);
        float[] r = residual == null ? null : s.floats(Y, row);
        FloatBuffer xs = x.data;
        FloatBuffer ys = y.data;
        for (int n = from; n < to; n++) {
            xs.get(n * row, t, 0, row);
            if (r != null) {
                residual.data.get(n * row, r, 0, row);
                for (int p = 0; p < row; p++) {
                    t[p] = t[p] * scale[p] + shift[p] + r[p];
                }
                if (relu) {
                    for (int p = 0; p < row; p++) {
                        t[p] = Math.max(t[p], 0f);
                    }
                }
            } else if (relu) {
                for (int p = 0; p < row; p++) {
                    t[p] = Math.max(t[p] * scale[p] + shift[p], 0f);
                }
            } else {
                for (int p = 0; p < row; p++) {
                    t[p] = t[p] * scale[p] + shift[p];
                }
            }
            ys.put(n * row, t, 0, row);
        }
    }

    /**
     * {@code values[c]} repeated over channel {@code c}'s {@code spatial} positions, in float staging
     * slot {@code slot}: the per-position form that the passes over whole examples read.
     */
    static float[] perPosition(float[] values, int channels, int spatial, int slot, Layout layout) {
        float[] row = Staging.get().floats(slot, channels * spatial);
        if (layout == Layout.NCHW16C) {
            // A block's 16 values repeated at each position of its planes.
            for (int cb = 0, o = 0; cb < channels; cb += Layout.BLOCK) {
                for (int p = 0; p < spatial; p++, o += Layout.BLOCK) {
                    System.arraycopy(values, cb, row, o, Layout.BLOCK);
                }
            }
            return row;
        }
        for (int c = 0, o = 0; c < channels; c++, o += spatial) {
            Arrays.fill(row, o, o + spatial, values[c]);
        }
        return row;
    }

    /**
     * Inference batchnorm folded into the preceding layer's weights: {@code out[o, :] = w[o, :] *
     * gamma[o] / sqrt(runningVar[o] + eps)} for a kernel of {@code channels} rows of {@code
     * perChannel} values ({@code [O, C, kh, kw]} or a dense {@code [O, I]}). Computed from the
     * parameters at every call, so a folded network follows training; {@code out} must not overlap
     * {@code w}.
     */
    public static void foldWeight(Buf w, Buf gamma, Buf runningVar, Buf out, int channels, int perChannel, float eps) {
        // Staged a row at a time: a loop of absolute gets and puts on the views is not vectorised.
        float[] row = Staging.get().floats(X, perChannel);
        for (int o = 0; o < channels; o++) {
            float scale = (float) (gamma.data.get(o) / Math.sqrt(runningVar.data.get(o) + (double) eps));
            int base = o * perChannel;
            w.data.get(base, row, 0, perChannel);
            for (int i = 0; i < perChannel; i++) {
                row[i] *= scale;
            }
            out.data.put(base, row, 0, perChannel);
        }
    }

    /**
     * The bias that goes with {@link #foldWeight}: {@code out = beta + (b - runningMean) * gamma /
     * sqrt(runningVar + eps)}, with {@code b} the layer's own bias or 0 when {@code bias} is {@code
     * null}.
     */
    public static void foldBias(Buf bias, Buf gamma, Buf beta, Buf runningMean, Buf runningVar, Buf out, int channels,
            float eps) {
        for (int c = 0; c < channels; c++) {
            double scale = gamma.data.get(c) / Math.sqrt(runningVar.data.get(c) + (double) eps);
            double b = bias == null ? 0 : bias.data.get(c);
            out.data.put(c, (float) (beta.data.get(c) + (b - runningMean.data.get(c)) * scale));
        }
    }

    /** Whether to split a pass over the batch between the two threads of {@link Workers}. */
    private static boolean split(int batch) {
        return Workers.threads() >= 2 && batch >= 2;
    }

    /**
     * One pass over the batch split in two halves of examples, handed to {@link Workers} through
     * this per-caller object. Sums over the batch go to one partial array per half, added up by the
     * caller; everything else is per example.
     */
    private static final class Job implements Workers.Parts {
        private int kind;
        private Buf x;
        private Buf y;
        private Buf dy;
        private Buf out;
        private Buf residual;
        private int channels;
        private int spatial;
        private int batch;
        private boolean relu;
        private boolean accumulate;
        private Layout layout = Layout.NCHW;
        private float[] mean;
        private float[] k;
        private float[] a;
        private float[] b;
        private final double[][] sums = {new double[0], new double[0]};
        private final double[][] squares = {new double[0], new double[0]};

        void set(int kind, Buf x, Buf y, Buf dy, Buf out, int channels, int spatial, int batch, boolean relu,
                boolean accumulate) {
            this.kind = kind;
            this.x = x;
            this.y = y;
            this.dy = dy;
            this.out = out;
            this.channels = channels;
            this.spatial = spatial;
            this.batch = batch;
            this.relu = relu;
            this.accumulate = accumulate;
        }

        /** Runs both halves, with zeroed partial sums, and drops the references afterwards. */
        void run2() {
            for (int p = 0; p < 2; p++) {
                if (sums[p].length < channels) {
                    sums[p] = new double[channels];
                    squares[p] = new double[channels];
                }
                Arrays.fill(sums[p], 0, channels, 0.0);
                Arrays.fill(squares[p], 0, channels, 0.0);
            }
            try {
                Workers.runTwo(this);
            } finally {
                set(0, null, null, null, null, 0, 0, 0, false, false);
                residual = null;
                layout = Layout.NCHW;
                mean = null;
                k = null;
                a = null;
                b = null;
            }
        }

        /** {@code sum[c] += both halves' sums}, {@code squares[c] += both halves' second sums}. */
        void addPartials(double[] sum, double[] second, int n) {
            for (int c = 0; c < n; c++) {
                sum[c] += sums[0][c] + sums[1][c];
                second[c] += squares[0][c] + squares[1][c];
            }
        }

        @Override
        public void run(int part, int parts) {
            int from = batch * part / parts;
            int to = batch * (part + 1) / parts;
            switch (kind) {
                case STATISTICS -> statisticsRange(x, from, to, channels, spatial, mean, sums[part], squares[part],
                        layout);
                case AFFINE -> affineRange(x, residual, out, k, a, from, to, channels, spatial, relu);
                case GRADIENT_SUMS -> gradientSumsRange(x, y, dy, out, mean, from, to, channels, spatial, relu,
                        sums[part], squares[part], layout);
                case INPUT_GRADIENT -> inputGradientRange(x, y, dy, out, mean, k, a, b, from, to, channels, spatial,
                        relu, accumulate);
                default -> throw new AssertionError(kind);
            }
        }
    }
}
