package org.dnnc.runtime.cpu;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.Arrays;
import java.util.Locale;

/**
 * Micro benchmark (a main class, not a test) of {@link Im2col}'s strided path against the gather
 * table it replaced ({@link GatherTableIm2col}), one thread, on the {@code strided} network's
 * stride-2 shapes at batch 64: im2col and col2im of all 64 examples, one example per call (as
 * {@code IM2COL} stages them) and 32 per call (as {@code IM2COL_BATCHED} does). Old and new
 * alternate within each round, and each call is timed in the thread's CPU time, not the wall
 * clock, so that a shared machine slows neither (a thread waiting for a core is not counted); it
 * prints the minimum and median milliseconds of each, and checks that both give the same im2col
 * bits and col2im sums.
 *
 * <p>Arguments: {@code [rounds (30)]}.
 */
public final class Im2colBench {

    private static final int BATCH = 64;

    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

    private Im2colBench() {}

    /** Runs the benchmark; see the class comment for the argument. */
    public static void main(String[] args) {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 30;
        ConvGeometry[] shapes = {
            ConvGeometry.symmetric(1, 28, 28, 32, 3, 2, 1),
            ConvGeometry.symmetric(64, 14, 14, 64, 3, 2, 1),
            ConvGeometry.symmetric(128, 7, 7, 128, 3, 2, 1),
        };
        for (ConvGeometry g : shapes) {
            for (int count : new int[] {1, 32}) {
                measure(g, count, rounds);
            }
        }
    }

    private static void measure(ConvGeometry g, int count, int rounds) {
        int spatial = g.outHeight() * g.outWidth();
        Buf x = Gaussian.buf(BATCH * g.inputSize(), 1);
        Buf cols = Gaussian.buf(g.patchSize() * BATCH * spatial, 2);
        Buf colOld = Buf.allocate(g.patchSize() * count * spatial);
        Buf colNew = Buf.allocate(g.patchSize() * count * spatial);
        Buf dxOld = Buf.allocate(BATCH * g.inputSize());
        Buf dxNew = Buf.allocate(BATCH * g.inputSize());
        double[][] times = new double[4][rounds];
        for (int r = -5; r < rounds; r++) {
            double[] t = {
                im2col(g, x, colOld, count, true), im2col(g, x, colNew, count, false),
                col2im(g, cols, dxOld, count, true), col2im(g, cols, dxNew, count, false),
            };
            for (int k = 0; r >= 0 && k < t.length; k++) {
                times[k][r] = t[k];
            }
        }
        float col2imDiff = 0f;
        for (int p = 0; p < dxOld.size(); p++) {
            col2imDiff = Math.max(col2imDiff, Math.abs(dxOld.get(p) - dxNew.get(p)));
        }
        boolean same = true;
        for (int p = 0; p < colOld.size(); p++) {
            same &= Float.floatToRawIntBits(colOld.get(p)) == Float.floatToRawIntBits(colNew.get(p));
        }
        System.out.printf(Locale.ROOT,
                "%dx%dx%d k%d s%d, %2d per call | im2col %.3f (%.3f) -> %.3f (%.3f) ms, identical %s"
                        + " | col2im %.3f (%.3f) -> %.3f (%.3f) ms, max |diff| %.2e%n",
                g.channels(), g.height(), g.width(), g.kernelH(), g.strideH(), count, min(times[0]),
                median(times[0]), min(times[1]), median(times[1]), same, min(times[2]), median(times[2]),
                min(times[3]), median(times[3]), col2imDiff);
    }

    /** CPU milliseconds for im2col of the batch; the last call's columns stay in {@code col}. */
    private static double im2col(ConvGeometry g, Buf x, Buf col, int count, boolean old) {
        int width = count * g.outHeight() * g.outWidth();
        long t0 = THREADS.getCurrentThreadCpuTime();
        for (int n = 0; n < BATCH; n += count) {
            if (old) {
                GatherTableIm2col.im2colGroup(g, x, n * g.inputSize(), count, col, 0, width);
            } else {
                Im2col.im2colGroup(g, x, n * g.inputSize(), count, col, 0, width);
            }
        }
        return (THREADS.getCurrentThreadCpuTime() - t0) / 1e6;
    }

    /** CPU milliseconds for col2im of the batch into {@code dx}. */
    private static double col2im(ConvGeometry g, Buf cols, Buf dx, int count, boolean old) {
        int spatial = g.outHeight() * g.outWidth();
        int width = count * spatial;
        long t0 = THREADS.getCurrentThreadCpuTime();
        for (int n = 0; n < BATCH; n += count) {
            int colOffset = n * g.patchSize() * spatial;
            if (old) {
                GatherTableIm2col.col2imGroup(g, cols, colOffset, width, count, dx, n * g.inputSize(), false);
            } else {
                Im2col.col2imGroup(g, cols, colOffset, width, count, dx, n * g.inputSize(), false);
            }
        }
        return (THREADS.getCurrentThreadCpuTime() - t0) / 1e6;
    }

    private static double min(double[] values) {
        return Arrays.stream(values).min().orElseThrow();
    }

    private static double median(double[] values) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        return sorted[sorted.length / 2];
    }
}
