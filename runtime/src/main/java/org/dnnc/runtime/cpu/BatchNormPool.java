package org.dnnc.runtime.cpu;

import java.nio.FloatBuffer;
import java.util.Arrays;

/**
 * Training batch normalization, ReLU and max pooling in one pass over memory: {@code p =
 * maxpool(relu(bn(x)))} for {@code x [N, C, H, W]} and the pooling of a {@link PoolGeometry}, with
 * {@link BatchNorm}'s statistics and running averages and {@link Pool2d}'s winners (the first
 * maximum of a window). Forward writes only {@code p}, and normalizes only the pooled values (see
 * {@link #forwardRange}); the full-size activation {@code y} is never computed.
 *
 * <p>Backward keeps no activation either: it recomputes {@code y} from {@code x} plane by plane
 * with {@link BatchNorm}'s arithmetic, so that each window has the winner the unfused kernels find,
 * sends {@code dp} to the winners, masks by {@code y > 0} (writing that gradient over {@code dx}),
 * and then takes {@link BatchNorm#backward}'s gradients: one pass over {@code x} and {@code dp}, one
 * over {@code x} and {@code dx}, and one for the statistics where forward saved none. Passes over
 * the batch run in two halves of examples when {@link Workers} has two threads, as {@link
 * BatchNorm}'s do.
 *
 * <p>The per-plane pooling is {@link Pool2d}'s ({@link Pool2d#maxPlane}, {@link
 * Pool2d#maxPlaneBackward}), so its {@code maxpool(2)} pair pass serves the 28x28 and 14x14 planes
 * here too. The ReLU mask is the winner's, one per window: where the windows tile the plane it is
 * applied in the window loop ({@code relu} of {@link Pool2d#maxPlaneBackward}; one thread, batch 64,
 * 16x28x28 2,474-2,684 to 2,175-2,362 us, 32x14x14 1,360-1,368 to 1,212-1,240), elsewhere by the
 * separate {@link BatchNorm#reluMask} pass, which measured faster on 7x7 planes (820-834 against
 * 885-888 us); an earlier try of the per-window mask on every plane had measured slower overall.
 */
public final class BatchNormPool {

    // Staging slots: the caller's per-channel arrays, clear of those BatchNorm.inputGradient uses
    // (0 to 3 and 6 to 8), then one example's row and planes in a pass over the batch.
    private static final int MEAN = 12;
    private static final int INV_STD = 13;
    private static final int SCALE = 14;
    private static final int SHIFT = 15;
    private static final int X = 0;
    private static final int PLANE = 1;
    private static final int POOLED = 2;
    private static final int PAIRS = 3;
    private static final int GRAD = 8;
    private static final int SUM_A = 9;
    private static final int SUM_B = 10;
    private static final int MASKED = 11;
    private static final int POOLED_ROW = 16;
    private static final int MEAN_ROW = 17;
    private static final int SIGN = 18;
    private static final int MAGNITUDE = 19;

    private static final int FORWARD = 0;
    private static final int SUMS = 1;

    private static final ThreadLocal<Job> JOB = ThreadLocal.withInitial(Job::new);

    private BatchNormPool() {}

    /**
     * {@code p = maxpool(relu(bn(x)))} with batch statistics; {@code runningMean} and {@code
     * runningVar} are updated, and the statistics saved in {@code saved [2, C]} (unless {@code null}),
     * as {@link BatchNorm#forwardTraining} does.
     *
     * @throws IllegalArgumentException if a channel has fewer than two values, as in PyTorch
     */
    public static void forwardTraining(Buf x, Buf gamma, Buf beta, Buf runningMean, Buf runningVar, PoolGeometry g,
            Buf p, Buf saved, int batch, float momentum, float eps) {
        forwardTraining(x, gamma, beta, runningMean, runningVar, g, p, saved, batch, momentum, eps, Layout.NCHW,
                Layout.NCHW);
    }

    /**
     * {@link #forwardTraining(Buf, Buf, Buf, Buf, Buf, PoolGeometry, Buf, Buf, int, float, float)}
     * with {@code x} in layout {@code in} and {@code p} in {@code out}.
     */
    public static void forwardTraining(Buf x, Buf gamma, Buf beta, Buf runningMean, Buf runningVar, PoolGeometry g,
            Buf p, Buf saved, int batch, float momentum, float eps, Layout in, Layout out) {
        int channels = g.channels();
        in.check(channels);
        out.check(channels);
        Staging s = Staging.get();
        float[] scale = s.floats(SCALE, channels);
        float[] shift = s.floats(SHIFT, channels);
        BatchNorm.trainingScaleShift(x, gamma, beta, runningMean, runningVar, saved, batch, channels,
                g.height() * g.width(), momentum, eps, scale, shift, null, null, in);
        Job job = JOB.get();
        job.set(FORWARD, g, x, null, p, scale, shift);
        job.in = in;
        job.out = out;
        job.run(batch);
        job.clear();
    }

    /**
     * The gradients of {@link #forwardTraining} from {@code dp}, the gradient of {@code p}: {@code
     * dx}, {@code dgamma} and {@code dbeta}, each skipped when {@code null} ({@code gamma} is needed
     * in any case, to recompute the activation). {@code saved} is what forward saved, or {@code null}
     * to recompute the statistics from {@code x}. Results are written, not added.
     */
    public static void backward(Buf x, Buf dp, Buf gamma, Buf beta, Buf saved, PoolGeometry g, Buf dx, Buf dgamma,
            Buf dbeta, int batch, float eps) {
        backward(x, dp, gamma, beta, saved, g, dx, dgamma, dbeta, batch, eps, Layout.NCHW, Layout.NCHW);
    }

    /**
     * {@link #backward(Buf, Buf, Buf, Buf, Buf, PoolGeometry, Buf, Buf, Buf, int, float)} with {@code
     * x} and {@code dx} in layout {@code in}, {@code dp} in {@code out}.
     */
    public static void backward(Buf x, Buf dp, Buf gamma, Buf beta, Buf saved, PoolGeometry g, Buf dx, Buf dgamma,
            Buf dbeta, int batch, float eps, Layout in, Layout out) {
        int channels = g.channels();
        in.check(channels);
        out.check(channels);
        int spatial = g.height() * g.width();
        Staging s = Staging.get();
        float[] scale = s.floats(SCALE, channels);
        float[] shift = s.floats(SHIFT, channels);
        float[] mean = s.floats(MEAN, channels);
        float[] invStd = s.floats(INV_STD, channels);
        if (saved == null) {
            BatchNorm.trainingScaleShift(x, gamma, beta, null, null, null, batch, channels, spatial, 0f, eps, scale,
                    shift, mean, invStd, in);
        } else {
            BatchNorm.savedScaleShift(saved, gamma, beta, channels, scale, shift, mean, invStd);
        }
        Job job = JOB.get();
        job.set(SUMS, g, x, dp, dx, scale, shift);
        job.in = in;
        job.out = out;
        job.mean = mean;
        job.meanRow = in == Layout.NCHW ? null : BatchNorm.perPosition(mean, channels, spatial, MEAN_ROW, in);
        double[] sumG = s.zeroDoubles(2, channels);
        double[] sumGX = s.zeroDoubles(3, channels);
        job.run(batch);
        job.addSums(sumG, sumGX);
        job.clear();
        if (dx != null) {
            BatchNorm.inputGradient(x, null, dx, dx, gamma, mean, invStd, sumG, sumGX, batch, channels, spatial, false,
                    in);
        }
        BatchNorm.writeParamGrads(sumG, sumGX, invStd, dgamma, dbeta, channels, false);
    }

    /**
     * Writes the pooled planes of examples {@code [from, to)}. It pools first and normalizes the
     * pooled values only: {@code x -> max(x * scale + shift, 0)} is monotonic (rounding keeps order),
     * non-decreasing where {@code scale >= 0}, so the window's maximum of the activations is the
     * activation of the window's maximum of x, the same float; where {@code scale < 0} the same holds
     * for {@code -x}, and {@code (-scale) * (-x)} is exactly {@code scale * x}.
     */
    private static void forwardRange(Job j, int from, int to) {
        PoolGeometry g = j.g;
        int spatial = g.height() * g.width();
        int pooled = g.outHeight() * g.outWidth();
        int row = g.channels() * spatial;
        Staging s = Staging.get();
        float[] xt = s.floats(X, row);
        float[] plane = s.floats(PLANE, spatial);
        float[] out = s.floats(POOLED, pooled);
        float[] pairs = s.floats(PAIRS, spatial);
        FloatBuffer ps = j.result.data;
        float[] pooledRow = j.out == Layout.NCHW ? null : s.floats(POOLED_ROW, g.channels() * pooled);
        if (j.in == Layout.NCHW16C && Pool2d.isTwoByTwo(g)) {
            float[] sign = s.floats(SIGN, g.channels());
            float[] magnitude = s.floats(MAGNITUDE, g.channels());
            for (int c = 0; c < g.channels(); c++) {
                sign[c] = j.scale[c] < 0 ? -1f : 1f;
                magnitude[c] = Math.abs(j.scale[c]);
            }
            float[] row2 = s.floats(POOLED_ROW, g.channels() * pooled);
            for (int n = from; n < to; n++) {
                j.x.data.get(n * row, xt, 0, row);
                BlockedPool.forward(g, xt, sign, magnitude, j.shift, row2, j.out);
                ps.put(n * g.channels() * pooled, row2, 0, g.channels() * pooled);
            }
            return;
        }
        for (int n = from; n < to; n++) {
            j.x.data.get(n * row, xt, 0, row);
            for (int c = 0, o = 0; c < g.channels(); c++, o += spatial) {
                float scale = j.scale[c];
                plane(xt, j.in, c, spatial, plane);
                if (scale < 0) {
                    scale = -scale;
                    for (int p = 0; p < spatial; p++) {
                        plane[p] = -plane[p];
                    }
                }
                Pool2d.maxPlane(g, plane, out, pairs);
                activation(out, pooled, scale, j.shift[c]);
                if (pooledRow == null) {
                    ps.put((n * g.channels() + c) * pooled, out, 0, pooled);
                } else {
                    scatter(out, c, pooled, pooledRow);
                }
            }
            if (pooledRow != null) {
                ps.put(n * g.channels() * pooled, pooledRow, 0, g.channels() * pooled);
            }
        }
    }

    /** Channel {@code c}'s plane of an example's {@code row} in {@code layout}, into {@code plane}. */
    private static void plane(float[] row, Layout layout, int c, int spatial, float[] plane) {
        if (layout == Layout.NCHW) {
            System.arraycopy(row, c * spatial, plane, 0, spatial);
            return;
        }
        for (int p = 0, i = Blocked.first(layout, c, spatial); p < spatial; p++, i += Layout.BLOCK) {
            plane[p] = row[i];
        }
    }

    /** Channel {@code c}'s {@code plane} into an example's {@code row} in {@link Layout#NCHW16C}. */
    private static void scatter(float[] plane, int c, int spatial, float[] row) {
        for (int p = 0, i = Blocked.first(Layout.NCHW16C, c, spatial); p < spatial; p++, i += Layout.BLOCK) {
            row[i] = plane[p];
        }
    }

    /**
     * The sums {@link BatchNorm#backward} takes, {@code Σ g} and {@code Σ g (x - mean)} per channel,
     * over examples {@code [from, to)}, into {@code sumG} and {@code sumGX}, where {@code g} is
     * {@code dp} sent to each window's winner and masked by the ReLU; {@code g} is also written to
     * {@code dx} when there is one, for {@link BatchNorm#inputGradient} to read. Sums are kept per
     * position in float for {@link BatchNorm#FLUSH_EVERY} examples, as {@link BatchNorm}'s are.
     */
    private static void backwardRange(Job j, int from, int to, double[] sumG, double[] sumGX) {
        PoolGeometry g = j.g;
        int channels = g.channels();
        int spatial = g.height() * g.width();
        int pooled = g.outHeight() * g.outWidth();
        int row = channels * spatial;
        Staging s = Staging.get();
        float[] xt = s.floats(X, row);
        float[] y = s.floats(PLANE, spatial);
        float[] dp = s.floats(POOLED, pooled);
        float[] grad = s.floats(GRAD, spatial);
        float[] pairs = s.floats(PAIRS, spatial);
        float[] masked = s.floats(MASKED, row);
        float[] accA = s.floats(SUM_A, row);
        float[] accB = s.floats(SUM_B, row);
        boolean tiles = Pool2d.tiles(g);
        boolean blocked2x2 = j.in == Layout.NCHW16C && Pool2d.isTwoByTwo(g);
        // A whole example's dp where planes are gathered from it, or for the blocked 2x2 windows.
        float[] dpRow = j.out == Layout.NCHW && !blocked2x2 ? null : s.floats(POOLED_ROW, channels * pooled);
        for (int start = from; start < to; start += BatchNorm.FLUSH_EVERY) {
            Arrays.fill(accA, 0, row, 0f);
            Arrays.fill(accB, 0, row, 0f);
            for (int n = start, end = Math.min(to, start + BatchNorm.FLUSH_EVERY); n < end; n++) {
                j.x.data.get(n * row, xt, 0, row);
                if (dpRow != null) {
                    j.dy.data.get(n * channels * pooled, dpRow, 0, channels * pooled);
                }
                if (blocked2x2) {
                    BlockedPool.backward(g, xt, j.scale, j.shift, dpRow, j.out, masked);
                }
                for (int c = 0, o = 0; !blocked2x2 && c < channels; c++, o += spatial) {
                    plane(xt, j.in, c, spatial, y);
                    activation(y, spatial, j.scale[c], j.shift[c]);
                    if (dpRow == null) {
                        j.dy.data.get((n * channels + c) * pooled, dp, 0, pooled);
                    } else {
                        plane(dpRow, j.out, c, pooled, dp);
                    }
                    if (!tiles) {
                        Arrays.fill(grad, 0, spatial, 0f);
                    }
                    // Masked per window where the windows tile the plane; on other planes (7x7, say)
                    // the pass over the plane measured faster than the test per window.
                    Pool2d.maxPlaneBackward(g, y, dp, grad, tiles, tiles, pairs);
                    if (!tiles) {
                        BatchNorm.reluMask(y, grad, spatial);
                    }
                    if (j.in == Layout.NCHW) {
                        System.arraycopy(grad, 0, masked, o, spatial);
                    } else {
                        scatter(grad, c, spatial, masked);
                    }
                }
                if (j.result != null) {
                    j.result.data.put(n * row, masked, 0, row);
                }
                if (j.in == Layout.NCHW) {
                    for (int c = 0, o = 0; c < channels; c++, o += spatial) {
                        float m = j.mean[c];
                        for (int p = o; p < o + spatial; p++) {
                            accA[p] += masked[p];
                            accB[p] += masked[p] * (xt[p] - m);
                        }
                    }
                } else {
                    float[] meanRow = j.meanRow;
                    for (int p = 0; p < row; p++) {
                        accA[p] += masked[p];
                        accB[p] += masked[p] * (xt[p] - meanRow[p]);
                    }
                }
            }
            BatchNorm.addChannelSums(accA, channels, spatial, sumG, j.in);
            BatchNorm.addChannelSums(accB, channels, spatial, sumGX, j.in);
        }
    }

    /**
     * {@code x = max(x * scale + shift, 0)} over the first {@code n} values, in place, the arithmetic
     * of {@link BatchNorm}'s forward pass. Callers copy a channel to index 0 first: HotSpot 17
     * vectorises this loop, but not one that reads {@code x[offset + p]} into {@code y[p]}.
     */
    private static void activation(float[] x, int n, float scale, float shift) {
        for (int p = 0; p < n; p++) {
            x[p] = Math.max(x[p] * scale + shift, 0f);
        }
    }

    /** One pass's arguments, preallocated per calling thread, with the two halves' partial sums. */
    private static final class Job implements Workers.Parts {
        private int kind;
        private PoolGeometry g;
        private Buf x;
        private Buf dy;
        private Buf result;
        private Layout in = Layout.NCHW;
        private Layout out = Layout.NCHW;
        private float[] scale;
        private float[] shift;
        private float[] mean;
        private float[] meanRow;
        private int batch;
        private final double[][] sums = {new double[0], new double[0]};
        private final double[][] squares = {new double[0], new double[0]};

        void set(int kind, PoolGeometry g, Buf x, Buf dy, Buf out, float[] scale, float[] shift) {
            this.kind = kind;
            this.g = g;
            this.x = x;
            this.dy = dy;
            this.result = out;
            this.scale = scale;
            this.shift = shift;
        }

        /** Drops the references of the last call. */
        void clear() {
            set(0, null, null, null, null, null, null);
            in = Layout.NCHW;
            out = Layout.NCHW;
            mean = null;
            meanRow = null;
        }

        /** Runs the pass over {@code batch} examples, in two halves where there are two threads. */
        void run(int batch) {
            this.batch = batch;
            int channels = g.channels();
            for (int p = 0; p < 2; p++) {
                if (sums[p].length < channels) {
                    sums[p] = new double[channels];
                    squares[p] = new double[channels];
                }
                Arrays.fill(sums[p], 0, channels, 0.0);
                Arrays.fill(squares[p], 0, channels, 0.0);
            }
            if (Workers.threads() >= 2 && batch >= 2) {
                Workers.runTwo(this);
            } else {
                run(0, 1);
            }
        }

        /** {@code sumG += both halves' sums of g}, {@code sumGX += both halves' sums of g (x - mean)}. */
        void addSums(double[] sumG, double[] sumGX) {
            for (int c = 0; c < g.channels(); c++) {
                sumG[c] += sums[0][c] + sums[1][c];
                sumGX[c] += squares[0][c] + squares[1][c];
            }
        }

        @Override
        public void run(int part, int parts) {
            int from = batch * part / parts;
            int to = batch * (part + 1) / parts;
            switch (kind) {
                case FORWARD -> forwardRange(this, from, to);
                case SUMS -> backwardRange(this, from, to, sums[part], squares[part]);
                default -> throw new AssertionError(kind);
            }
        }
    }
}
