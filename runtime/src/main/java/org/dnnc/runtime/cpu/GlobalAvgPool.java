package org.dnnc.runtime.cpu;

import java.nio.FloatBuffer;
import java.util.Arrays;

/**
 * Global average pooling: {@code x [N, C, H, W]} to {@code y [N, C]}, the mean of each plane, and its
 * gradient, each plane's {@code dy} spread evenly over the plane. {@code spatial} is {@code H * W}
 * (any trailing shape works: the kernel only sees planes). Sums are kept in {@code double}. In a
 * context of two threads each takes half of the planes, or on blocked activations half of the
 * examples (each plane's sum is the same either way).
 */
public final class GlobalAvgPool {

    private static final int PLANE = 0;
    private static final int MEANS = 1;

    private static final int FORWARD = 0;
    private static final int BACKWARD = 1;

    /** Fewer planes than this run on one thread: the hand-over would cost more than the half saved. */
    private static final int SPLIT_PLANES = 256;

    private static final ThreadLocal<Job> JOB = ThreadLocal.withInitial(Job::new);

    private GlobalAvgPool() {}

    /**
     * Floats moved between a view and the heap at once: many planes per call, since one call per
     * plane (16 floats on a 4x4 map) costs more than the sum.
     */
    private static final int BLOCK = 4096;

    /** {@code y[n, c] = mean(x[n, c, :])}. */
    public static void forward(Buf x, Buf y, int batch, int channels, int spatial) {
        run(FORWARD, x, y, batch * channels, 0, spatial, false);
    }

    /** {@code dx[n, c, :] = dy[n, c] / spatial} ({@code +=} when {@code accumulate}). */
    public static void backward(Buf dy, Buf dx, int batch, int channels, int spatial, boolean accumulate) {
        run(BACKWARD, dy, dx, batch * channels, 0, spatial, accumulate);
    }

    /** {@link #forward(Buf, Buf, int, int, int)} of {@code x} in {@code layout}. */
    public static void forward(Buf x, Buf y, int batch, int channels, int spatial, Layout layout) {
        if (layout == Layout.NCHW) {
            forward(x, y, batch, channels, spatial);
            return;
        }
        layout.check(channels);
        run(FORWARD, x, y, batch, channels, spatial, false);
    }

    /** {@link #backward(Buf, Buf, int, int, int, boolean)} into {@code dx} in {@code layout}. */
    public static void backward(Buf dy, Buf dx, int batch, int channels, int spatial, boolean accumulate,
            Layout layout) {
        if (layout == Layout.NCHW) {
            backward(dy, dx, batch, channels, spatial, accumulate);
            return;
        }
        layout.check(channels);
        run(BACKWARD, dy, dx, batch, channels, spatial, accumulate);
    }

    /** {@link #forward} of examples {@code [from, to)} in {@link Layout#NCHW16C}. */
    private static void forwardBlocked(Buf x, Buf y, int channels, int spatial, int from, int to) {
        int size = channels * spatial;
        Staging s = Staging.get();
        float[] block = s.floats(PLANE, size);
        float[] sums = s.floats(MEANS, channels);
        double inv = 1.0 / spatial;
        for (int n = from; n < to; n++) {
            x.data.get(n * size, block, 0, size);
            // A block's 16 channels summed side by side in float, which vectorises; a running double
            // per channel did not, and cost more than the pooling's share of a step.
            Arrays.fill(sums, 0, channels, 0f);
            for (int cb = 0; cb < channels; cb += Layout.BLOCK) {
                for (int p = cb * spatial, end = p + spatial * Layout.BLOCK; p < end; p += Layout.BLOCK) {
                    for (int l = 0; l < Layout.BLOCK; l++) {
                        sums[cb + l] += block[p + l];
                    }
                }
            }
            for (int c = 0; c < channels; c++) {
                sums[c] = (float) (sums[c] * inv);
            }
            y.data.put(n * channels, sums, 0, channels);
        }
    }

    /** {@link #backward} of examples {@code [from, to)} in {@link Layout#NCHW16C}. */
    private static void backwardBlocked(Buf dy, Buf dx, int channels, int spatial, boolean accumulate, int from,
            int to) {
        int size = channels * spatial;
        Staging s = Staging.get();
        float[] block = s.floats(PLANE, size);
        float[] shares = s.floats(MEANS, channels);
        for (int n = from; n < to; n++) {
            dy.data.get(n * channels, shares, 0, channels);
            for (int c = 0; c < channels; c++) {
                shares[c] = shares[c] / spatial;
            }
            // The choice outside the loops, which then vectorise over a block's 16 channels.
            if (accumulate) {
                dx.data.get(n * size, block, 0, size);
                for (int cb = 0; cb < channels; cb += Layout.BLOCK) {
                    for (int p = cb * spatial, end = p + spatial * Layout.BLOCK; p < end; p += Layout.BLOCK) {
                        for (int l = 0; l < Layout.BLOCK; l++) {
                            block[p + l] += shares[cb + l];
                        }
                    }
                }
            } else {
                for (int cb = 0; cb < channels; cb += Layout.BLOCK) {
                    for (int p = cb * spatial, end = p + spatial * Layout.BLOCK; p < end; p += Layout.BLOCK) {
                        System.arraycopy(shares, cb, block, p, Layout.BLOCK);
                    }
                }
            }
            dx.data.put(n * size, block, 0, size);
        }
    }

    /**
     * Runs {@link Job} over {@code items}: NCHW planes when {@code channels} is 0, else the examples
     * of a blocked pass. Fewer than {@link #SPLIT_PLANES} planes in all stay on one thread.
     */
    private static void run(int kind, Buf in, Buf out, int items, int channels, int spatial, boolean accumulate) {
        Job job = JOB.get();
        job.set(kind, in, out, items, channels, spatial, accumulate);
        long planes = channels == 0 ? items : (long) items * channels;
        try {
            if (Workers.threads() >= 2 && items >= 2 && planes >= SPLIT_PLANES) {
                Workers.runTwo(job);
            } else {
                job.run(0, 1);
            }
        } finally {
            job.set(0, null, null, 0, 0, 0, false);
        }
    }

    /** {@link #forward} over planes {@code [from, to)}. */
    private static void forwardRange(Buf x, Buf y, int spatial, int from, int to) {
        int perBlock = Math.max(1, BLOCK / spatial);
        Staging s = Staging.get();
        float[] block = s.floats(PLANE, perBlock * spatial);
        // Moved to the view a block at a time too: one absolute put per plane cost more than its sum.
        float[] means = s.floats(MEANS, perBlock);
        FloatBuffer xs = x.data;
        FloatBuffer ys = y.data;
        double inv = 1.0 / spatial;
        for (int first = from; first < to; first += perBlock) {
            int count = Math.min(perBlock, to - first);
            xs.get(first * spatial, block, 0, count * spatial);
            for (int i = 0; i < count; i++) {
                // Four running sums quarter the chain of dependent additions.
                double s0 = 0;
                double s1 = 0;
                double s2 = 0;
                double s3 = 0;
                int p = i * spatial;
                int end = p + spatial;
                for (; p + 3 < end; p += 4) {
                    s0 += block[p];
                    s1 += block[p + 1];
                    s2 += block[p + 2];
                    s3 += block[p + 3];
                }
                for (; p < end; p++) {
                    s0 += block[p];
                }
                means[i] = (float) (((s0 + s1) + (s2 + s3)) * inv);
            }
            ys.put(first, means, 0, count);
        }
    }

    /** {@link #backward} over planes {@code [from, to)}. */
    private static void backwardRange(Buf dy, Buf dx, int spatial, boolean accumulate, int from, int to) {
        int perBlock = Math.max(1, BLOCK / spatial);
        Staging s = Staging.get();
        float[] block = s.floats(PLANE, perBlock * spatial);
        float[] grads = s.floats(MEANS, perBlock);
        FloatBuffer dys = dy.data;
        FloatBuffer dxs = dx.data;
        for (int first = from; first < to; first += perBlock) {
            int count = Math.min(perBlock, to - first);
            if (accumulate) {
                dxs.get(first * spatial, block, 0, count * spatial);
            }
            dys.get(first, grads, 0, count);
            for (int i = 0; i < count; i++) {
                float share = grads[i] / spatial; // as PyTorch: a division, not a product with 1 / spatial
                int at = i * spatial;
                if (accumulate) {
                    for (int p = at; p < at + spatial; p++) {
                        block[p] += share;
                    }
                } else {
                    Arrays.fill(block, at, at + spatial, share);
                }
            }
            dxs.put(first * spatial, block, 0, count * spatial);
        }
    }

    /** One call's arguments, preallocated per calling thread so that splitting allocates nothing. */
    private static final class Job implements Workers.Parts {
        private int kind;
        private Buf in;
        private Buf out;
        /** Planes, or the examples of a blocked pass. */
        private int items;
        /** The channels of a blocked pass, else 0. */
        private int channels;
        private int spatial;
        private boolean accumulate;

        void set(int kind, Buf in, Buf out, int items, int channels, int spatial, boolean accumulate) {
            this.kind = kind;
            this.in = in;
            this.out = out;
            this.items = items;
            this.channels = channels;
            this.spatial = spatial;
            this.accumulate = accumulate;
        }

        @Override
        public void run(int part, int parts) {
            int from = (int) ((long) items * part / parts);
            int to = (int) ((long) items * (part + 1) / parts);
            if (channels > 0) {
                if (kind == FORWARD) {
                    forwardBlocked(in, out, channels, spatial, from, to);
                } else {
                    backwardBlocked(in, out, channels, spatial, accumulate, from, to);
                }
            } else if (kind == FORWARD) {
                forwardRange(in, out, spatial, from, to);
            } else {
                backwardRange(in, out, spatial, accumulate, from, to);
            }
        }
    }
}
