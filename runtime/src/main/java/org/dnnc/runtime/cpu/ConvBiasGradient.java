package org.dnnc.runtime.cpu;

import java.nio.FloatBuffer;
import java.util.Arrays;

/**
 * {@link Conv2d#biasBackward} and {@link Conv2d#backwardBias}: the convolution's backward epilogue,
 * {@code dz = dy * act'(y)} and the bias gradient summed per channel, in one pass over the batch.
 */
final class ConvBiasGradient {

    // Staging slots: the same as Conv2d's forward epilogue, which never runs at the same time.
    private static final int ROW = 3;
    private static final int OUT = 4;
    private static final int SUMS = 9;

    private static final ThreadLocal<BiasJob> JOB = ThreadLocal.withInitial(BiasJob::new);

    private ConvBiasGradient() {}

    /** {@link Conv2d#biasBackward(Activation, float, Buf, Buf, Buf, Buf, int, int, int, boolean)} on views in {@code layout}. */
    static void run(Activation act, float param, Buf y, Buf dy, Buf dz, Buf db, int batch,
            int channels, int spatial, boolean accumulateBias, Layout layout) {
        if (db == null && act == Activation.IDENTITY) {
            Elementwise.copy(dy, dz, batch * channels * spatial);
            return;
        }
        checkParam(act, param);
        double[] sums;
        if (Workers.threads() >= 2 && batch >= 2) {
            BiasJob job = JOB.get();
            job.set(act, param, y, dy, dz, batch, channels, spatial);
            job.layout = layout;
            try {
                Workers.runTwo(job);
            } finally {
                job.set(null, 0f, null, null, null, 0, 0, 0);
                job.layout = Layout.NCHW;
            }
            sums = job.sums[0];
            for (int c = 0; c < channels; c++) {
                sums[c] += job.sums[1][c];
            }
        } else {
            sums = Staging.get().zeroDoubles(0, channels);
            range(act, param, y, dy, dz, 0, batch, channels, spatial, sums, layout);
        }
        if (db != null) {
            FloatBuffer dbs = db.data;
            for (int c = 0; c < channels; c++) {
                dbs.put(c, (float) (accumulateBias ? dbs.get(c) + sums[c] : sums[c]));
            }
        }
    }

    /** {@link #run}'s pass over examples {@code [from, to)}, adding the bias gradient to {@code sums}. */
    private static void range(Activation act, float param, Buf y, Buf dy, Buf dz, int from, int to,
            int channels, int spatial, double[] sums, Layout layout) {
        int row = channels * spatial;
        Staging s = Staging.get();
        float[] g = s.floats(ROW, row);
        float[] out = act == Activation.IDENTITY ? null : s.floats(OUT, row);
        float[] acc = s.floats(SUMS, row);
        FloatBuffer ys = act == Activation.IDENTITY ? null : y.data;
        FloatBuffer dys = dy.data;
        FloatBuffer dzs = dz.data;
        // Blocks of FLUSH_EVERY examples, as in BatchNorm: a flush test in the per-example loop that
        // is first true at the short last batch deoptimized the compiled loop there.
        for (int start = from; start < to; start += BatchNorm.FLUSH_EVERY) {
            Arrays.fill(acc, 0, row, 0f);
            for (int n = start, end = Math.min(to, start + BatchNorm.FLUSH_EVERY); n < end; n++) {
                dys.get(n * row, g, 0, row);
                if (act != Activation.IDENTITY) {
                    ys.get(n * row, out, 0, row);
                    if (act == Activation.RELU) {
                        BatchNorm.reluMask(out, g, row);
                    } else {
                        for (int p = 0; p < row; p++) {
                            g[p] *= Activations.derivative(act, param, out[p]);
                        }
                    }
                }
                if (dzs != dys || act != Activation.IDENTITY) {
                    dzs.put(n * row, g, 0, row);
                }
                // Summed per position (the same index on both arrays vectorises), as in BatchNorm.
                for (int p = 0; p < row; p++) {
                    acc[p] += g[p];
                }
            }
            BatchNorm.addChannelSums(acc, channels, spatial, sums, layout);
        }
    }

    /** A bias gradient split in two halves of the batch, each summing into its own array. */
    private static final class BiasJob implements Workers.Parts {
        private Activation act;
        private float param;
        private Buf y;
        private Buf dy;
        private Buf dz;
        private int batch;
        private int channels;
        private int spatial;
        private Layout layout = Layout.NCHW;
        private final double[][] sums = {new double[0], new double[0]};

        void set(Activation act, float param, Buf y, Buf dy, Buf dz, int batch, int channels, int spatial) {
            this.act = act;
            this.param = param;
            this.y = y;
            this.dy = dy;
            this.dz = dz;
            this.batch = batch;
            this.channels = channels;
            this.spatial = spatial;
        }

        @Override
        public void run(int part, int parts) {
            if (sums[part].length < channels) {
                sums[part] = new double[channels];
            }
            Arrays.fill(sums[part], 0, channels, 0.0);
            range(act, param, y, dy, dz, batch * part / parts, batch * (part + 1) / parts, channels,
                    spatial, sums[part], layout);
        }
    }

    private static void checkParam(Activation act, float param) {
        // As Activations.backward: the rules read the sign of the input off the output.
        if (act == Activation.LEAKY_RELU && !(param >= 0f)) {
            throw new IllegalArgumentException("leaky_relu backward from the output needs slope >= 0, got " + param);
        }
        if (act == Activation.ELU && !(param > 0f)) {
            throw new IllegalArgumentException("elu backward from the output needs alpha > 0, got " + param);
        }
    }
}
