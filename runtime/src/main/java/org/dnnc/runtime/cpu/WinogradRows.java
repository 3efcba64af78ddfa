package org.dnnc.runtime.cpu;

import static org.dnnc.runtime.cpu.WinogradTransform.TILE;
import static org.dnnc.runtime.cpu.WinogradTransform.combine;
import static org.dnnc.runtime.cpu.WinogradTransform.gather;
import static org.dnnc.runtime.cpu.WinogradTransform.scatter;
import static org.dnnc.runtime.cpu.WinogradTransform.ungather;
import static org.dnnc.runtime.cpu.WinogradTransform.unscatter;

import java.nio.FloatBuffer;
import java.util.Arrays;

/**
 * Stride-1 convolutions with kernels 3 or 5 wide through the one-dimensional Winograd algorithm
 * {@code F(4, r)} along each row: {@code 4 + r - 1} multiplications give four outputs of an
 * {@code r}-tap row filter, against {@code 4 r} directly, so a 5-wide kernel needs 2.5x fewer
 * multiplications and a 3-wide one 2x fewer. Kernel rows and input channels stay a plain sum.
 *
 * <p>Per example, each input row is cut into tiles of {@code alpha = r + 3} values, 4 apart, and
 * each tile transformed ({@code B^T d}); the kernel's rows are transformed once per call ({@code
 * G g}). For each of the {@code alpha} transformed points this leaves one GEMM {@code M [O, tiles]
 * = U [O, C*kh] V [C*kh, tiles]}, summing channels and kernel rows (im2col's GEMM sums {@code
 * C*kh*kw}). The output transform ({@code A^T m}) turns each tile's {@code alpha} products into 4
 * outputs. Transforms run over whole arrays on the heap, where HotSpot vectorises them; only the
 * GEMM operands live in the native scratch. The matrices are in {@link WinogradTransform}.
 *
 * <p>The gradients follow from {@code y = A^T [(G g) ⊙ (B^T d)]} being bilinear: the kernel's is
 * {@code G^T [(A dy) ⊙ (B^T d)]} summed over tiles (one GEMM per point over the batch's tiles),
 * the input's {@code B [(G g) ⊙ (A dy)]} (one GEMM per point over the filters, then tiles added
 * back where they overlap). An input gradient with few filters runs instead as the forward
 * algorithm on the transposed convolution (flipped kernel, output gradient as input).
 *
 * <p>Only 1-d: a 2-d {@code F(2x2, 5x5)} would save more multiplications, but its GEMMs would sum
 * over the channels alone (16 for the second convolution of the Fashion-MNIST CNN), where OpenBLAS
 * runs at about two thirds of its speed for these shapes, and its transforms cost more. Rows also
 * keep the rounding error small: the points are {@code 0, ±1, ±2, ±1/2} and infinity.
 *
 * <p>Works in the scratch that {@link Conv2d#scratchFloats(ConvGeometry, int)} provides: the
 * transformed kernel first, then per thread as many output rows of an example as fit (all of them
 * in the scratch the compiler plans for a pass that picks this algorithm). {@link WinogradPlan}
 * returns {@code null} when a smaller scratch holds too few, or when im2col measured faster for the
 * shape, and the caller then uses im2col.
 */
final class WinogradRows {

    private static final ThreadLocal<Work> WORK = ThreadLocal.withInitial(Work::new);
    private static final ThreadLocal<Job> JOB = ThreadLocal.withInitial(Job::new);
    private static final ThreadLocal<KernelJob> KERNEL_JOB = ThreadLocal.withInitial(KernelJob::new);

    private WinogradRows() {}

    /**
     * Runs {@code plan}: {@code out = act(conv(in, w) + bias)}, or {@code out += conv(in, w)} when
     * {@code accumulate} (then without bias or activation). For a flipped plan {@code w} is the
     * forward kernel {@code [C, O, kh, kw]} of the convolution whose input gradient this is.
     */
    static void run(WinogradPlan plan, Buf in, Buf w, Buf bias, Buf out, Buf scratch, int batch, Activation act,
            float param, boolean accumulate) {
        transformKernel(plan, w, scratch);
        runParts(plan, in, bias, out, scratch, batch, act, param, accumulate);
    }

    /** The examples on the plan's threads, each part in its own region of the scratch (see {@link Job}). */
    private static void runParts(WinogradPlan plan, Buf in, Buf bias, Buf out, Buf scratch, int batch,
            Activation act, float param, boolean accumulate) {
        Job job = JOB.get();
        job.set(plan, in, bias, out, scratch, batch, act, param, accumulate);
        try {
            if (plan.threads() == 2) {
                Workers.runTwo(job);
            } else {
                job.run(0, 1);
            }
        } finally {
            job.set(null, null, null, null, null, 0, null, 0f, false);
        }
    }

    /**
     * Runs a weight-gradient plan: {@code dw = sum_n dW(dy_n, x_n)} ({@code dw +=} when {@code
     * accumulate}) for {@code dy [N, O, oh, ow]} and {@code x [N, C, H, W]}. Each thread sums its
     * examples' products per transformed point in its own region; the points are then summed
     * through {@code G^T} in double into the kernel's layout.
     */
    static void runWeights(WinogradPlan plan, Buf dy, Buf x, Buf dw, Buf scratch, int batch, boolean accumulate) {
        runParts(plan, x, null, dy, scratch, batch, Activation.IDENTITY, 0f, false);
        WinogradTransform t = plan.transform;
        int alpha = t.alpha();
        int r = t.r();
        int filters = plan.filters;
        int depth = plan.depth();
        int sums = plan.kernelFloats();
        Work work = WORK.get();
        float[] p = work.transformed(sums);
        scratch.data.get(plan.shared(), p, 0, sums);
        if (plan.threads() == 2) {
            float[] q = work.kernel(sums);
            scratch.data.get(plan.shared() + plan.regionFloats(), q, 0, sums);
            for (int i = 0; i < sums; i++) {
                p[i] += q[i];
            }
        }
        int size = filters * depth * r;
        float[] kernel = work.staged(size);
        if (accumulate) {
            dw.data.get(0, kernel, 0, size);
        }
        for (int o = 0; o < filters; o++) {
            for (int row = 0; row < depth; row++) {
                // Sums are [alpha][C*kh][O]; the kernel is [O][C][kh][r].
                for (int k = 0; k < r; k++) {
                    double sum = 0;
                    for (int xi = 0; xi < alpha; xi++) {
                        sum += t.g()[xi][k] * p[(xi * depth + row) * filters + o];
                    }
                    int at = (o * depth + row) * r + k;
                    kernel[at] = (float) (accumulate ? kernel[at] + sum : sum);
                }
            }
        }
        dw.data.put(0, kernel, 0, size);
    }

    /** The transformed sums {@code P [alpha][C*kh][O]} of examples {@code [from, to)} at {@code region}. */
    private static void weightRange(WinogradPlan plan, Buf x, Buf dy, Buf scratch, int region, int from, int to) {
        int oh = plan.outHeight;
        int sums = region;
        int rowsAt = region + plan.kernelFloats();
        boolean first = true;
        for (int n = from; n < to; n++) {
            for (int y0 = 0; y0 < oh; y0 += plan.rowsPerChunk()) {
                weightChunk(plan, x, dy, n, y0, Math.min(oh, y0 + plan.rowsPerChunk()), scratch, sums, rowsAt, first);
                first = false;
            }
        }
    }

    /** Adds the products of output rows {@code [y0, y1)} of example {@code n} to the sums at {@code sums}. */
    private static void weightChunk(WinogradPlan plan, Buf x, Buf dy, int n, int y0, int y1, Buf scratch, int sums,
            int rowsAt, boolean first) {
        WinogradTransform t = plan.transform;
        int alpha = t.alpha();
        int filters = plan.filters;
        int tilesX = plan.tilesX();
        int depth = plan.depth();
        int rows = y1 - y0;
        int tiles = rows * tilesX;
        int vOffset = rowsAt;
        int gOffset = rowsAt + alpha * depth * tiles;
        transformInput(plan, x, n, y0, y1, scratch, vOffset);
        transformGradient(plan, dy, n, y0, y1, scratch, gOffset);
        for (int xi = 0; xi < alpha; xi++) {
            Blas.sgemm(false, true, depth, filters, tiles, 1f, scratch, vOffset + xi * depth * tiles, tiles, scratch,
                    gOffset + xi * filters * tiles, tiles, first ? 0f : 1f, scratch, sums + xi * depth * filters,
                    filters);
        }
    }

    /**
     * {@code DY [alpha][O][tiles]} of output rows {@code [y0, y1)} of example {@code n} at {@code
     * scratch[gOffset ..]}: each tile of 4 output gradients (zero past the row's end) through {@code A}.
     */
    private static void transformGradient(WinogradPlan plan, Buf dy, int n, int y0, int y1, Buf scratch, int gOffset) {
        WinogradTransform t = plan.transform;
        int alpha = t.alpha();
        int filters = plan.filters;
        int tilesX = plan.tilesX();
        int rows = y1 - y0;
        int count = filters * rows * tilesX;
        Work work = WORK.get();
        int ow = plan.outWidth;
        float[][] e = work.products(TILE, count);
        float[][] dg = work.outputs(alpha, count);
        float[] row = work.row(TILE * tilesX);
        float[] staged = work.old(rows * ow);
        FloatBuffer ds = dy.data;
        int plane = plan.outHeight * ow;
        for (int o = 0; o < filters; o++) {
            ds.get((n * filters + o) * plane + y0 * ow, staged, 0, rows * ow);
            for (int yl = 0; yl < rows; yl++) {
                System.arraycopy(staged, yl * ow, row, 0, ow);
                unscatter(row, e, (o * rows + yl) * tilesX, tilesX);
            }
        }
        combine(t.a(), e, dg, count);
        FloatBuffer ss = scratch.data;
        for (int xi = 0; xi < alpha; xi++) {
            ss.put(gOffset + xi * count, dg[xi], 0, count);
        }
    }

    /**
     * The input gradient of example {@code n} by the adjoint plan, chunk by chunk of output rows
     * into a staged copy of the example's gradient (chunks overlap in the input rows they reach).
     */
    private static void adjointExample(WinogradPlan plan, Buf dy, int n, Buf dx, Buf scratch, int region,
            boolean accumulate) {
        int size = plan.channels * plan.height * plan.width;
        float[] acc = WORK.get().staged(size);
        if (accumulate) {
            dx.data.get(n * size, acc, 0, size);
        } else {
            Arrays.fill(acc, 0, size, 0f);
        }
        for (int y0 = 0; y0 < plan.outHeight; y0 += plan.rowsPerChunk()) {
            adjointChunk(plan, dy, n, y0, Math.min(plan.outHeight, y0 + plan.rowsPerChunk()), acc, scratch, region);
        }
        dx.data.put(n * size, acc, 0, size);
    }

    /**
     * Adds what output rows {@code [y0, y1)} of example {@code n} contribute to the input gradient
     * {@code acc [C, H, W]}: {@code dV = U^T DY} per point, summed over kernel rows per input row
     * (the transform is linear, so once per input row rather than once per kernel row), through
     * {@code B}, and each tile's {@code alpha} values added at its place in the row.
     */
    private static void adjointChunk(WinogradPlan plan, Buf dy, int n, int y0, int y1, float[] acc, Buf scratch,
            int region) {
        WinogradTransform t = plan.transform;
        int alpha = t.alpha();
        int height = plan.height;
        int width = plan.width;
        int kh = plan.kh;
        int pt = plan.padTop;
        int channels = plan.channels;
        int filters = plan.filters;
        int tilesX = plan.tilesX();
        int depth = plan.depth();
        int rows = y1 - y0;
        int tiles = rows * tilesX;
        int gOffset = region;
        int vOffset = region + alpha * filters * tiles;
        transformGradient(plan, dy, n, y0, y1, scratch, gOffset);
        for (int xi = 0; xi < alpha; xi++) {
            Blas.sgemm(true, false, depth, tiles, filters, 1f, scratch, xi * filters * depth, depth, scratch,
                    gOffset + xi * filters * tiles, tiles, 0f, scratch, vOffset + xi * depth * tiles, tiles);
        }

        int r0 = Math.max(0, y0 - pt);
        int r1 = Math.min(height, y1 - pt + kh - 1);
        int inRows = Math.max(0, r1 - r0);
        int count = channels * inRows * tilesX;
        Work work = WORK.get();
        float[][] sums = work.transformedTiles(alpha, count);
        float[] dv = work.matrix(depth * tiles);
        float[] shifted = work.kernel(count);
        FloatBuffer ss = scratch.data;
        for (int xi = 0; xi < alpha; xi++) {
            float[] sx = sums[xi];
            Arrays.fill(sx, 0, count, 0f);
            ss.get(vOffset + xi * depth * tiles, dv, 0, depth * tiles);
            for (int c = 0; c < channels; c++) {
                for (int ky = 0; ky < kh; ky++) {
                    int lo = Math.min(y1, Math.max(y0, pt - ky));
                    int hi = Math.max(lo, Math.min(y1, height + pt - ky));
                    if (hi == lo) {
                        continue;
                    }
                    // Moved to the index it is added at, so that the add vectorises (see Im2col).
                    int at = (c * inRows + lo + ky - pt - r0) * tilesX;
                    int len = (hi - lo) * tilesX;
                    System.arraycopy(dv, (c * kh + ky) * tiles + (lo - y0) * tilesX, shifted, at, len);
                    for (int i = at; i < at + len; i++) {
                        sx[i] += shifted[i];
                    }
                }
            }
        }
        float[][] dd = work.tiles(alpha, count);
        combine(t.b(), sums, dd, count);
        int rowLength = TILE * tilesX + t.r() - 1;
        for (int c = 0; c < channels; c++) {
            for (int rr = r0; rr < r1; rr++) {
                float[] row = work.row(rowLength);
                ungather(dd, (c * inRows + rr - r0) * tilesX, tilesX, alpha, row);
                int base = (c * height + rr) * width;
                int pl = plan.padLeft;
                for (int j = 0; j < width; j++) {
                    acc[base + j] += row[pl + j];
                }
            }
        }
    }

    /**
     * {@code U [alpha][O][C*kh]}: each kernel row through {@code G}, at the start of the scratch; on
     * the plan's threads, each a half of the rows. It runs before the examples' parts, which read all
     * of it, and was a serial tenth of a deep layer's forward pass (64 to 64 channels on 7x7: 0.39
     * of 3.0 ms on one thread).
     */
    private static void transformKernel(WinogradPlan plan, Buf w, Buf scratch) {
        if (plan.threads() == 2) {
            KernelJob job = KERNEL_JOB.get();
            job.set(plan, w, scratch);
            try {
                Workers.runTwo(job);
            } finally {
                job.set(null, null, null);
            }
        } else {
            transformKernelRows(plan, w, scratch, 0, plan.filters * plan.depth());
        }
    }

    /** Rows {@code [from, to)} of {@link #transformKernel}'s {@code U}, row {@code j = o * C*kh + c * kh + ky}. */
    private static void transformKernelRows(WinogradPlan plan, Buf w, Buf scratch, int from, int to) {
        WinogradTransform t = plan.transform;
        int alpha = t.alpha();
        int r = t.r();
        int kh = plan.kh;
        int filters = plan.filters;
        int depth = plan.depth();
        int rows = filters * depth;
        int size = rows * r;
        Work work = WORK.get();
        float[] kernel = work.kernel(size);
        w.data.get(0, kernel, 0, size);
        float[] u = work.transformed(plan.kernelFloats());
        // Each row's taps first, one array per tap, so that the sums below run along j: a loop over
        // taps inside a loop over rows waited on its chain of double adds (5 ns a value of U).
        int count = to - from;
        float[][] taps = work.taps(r, count);
        boolean flipped = plan.flipped;
        for (int j = from; j < to; j++) {
            int first = j * r;
            int step = 1;
            if (flipped) {
                // The forward kernel [our channels][our filters][kh][kw], turned around.
                int o = j / depth;
                int c = (j - o * depth) / kh;
                int ky = j - o * depth - c * kh;
                first = ((c * filters + o) * kh + (kh - 1 - ky)) * r + r - 1;
                step = -1;
            }
            for (int k = 0; k < r; k++) {
                taps[k][j - from] = kernel[first + step * k];
            }
        }
        double[] sum = work.sums(count);
        for (int xi = 0; xi < alpha; xi++) {
            // Added tap by tap from 0, as a sum over taps per row would.
            Arrays.fill(sum, 0, count, 0.0);
            for (int k = 0; k < r; k++) {
                double gk = t.g()[xi][k];
                float[] tap = taps[k];
                for (int i = 0; i < count; i++) {
                    sum[i] += gk * tap[i];
                }
            }
            int at = xi * rows + from;
            for (int i = 0; i < count; i++) {
                u[at + i] = (float) sum[i];
            }
        }
        FloatBuffer ss = scratch.data;
        for (int xi = 0; xi < alpha; xi++) {
            ss.put(xi * rows + from, u, xi * rows + from, to - from);
        }
    }

    /** {@link #transformKernel} in two halves of the kernel's rows. */
    private static final class KernelJob implements Workers.Parts {
        private WinogradPlan plan;
        private Buf w;
        private Buf scratch;

        void set(WinogradPlan plan, Buf w, Buf scratch) {
            this.plan = plan;
            this.w = w;
            this.scratch = scratch;
        }

        @Override
        public void run(int part, int parts) {
            int rows = plan.filters * plan.depth();
            transformKernelRows(plan, w, scratch, rows * part / parts, rows * (part + 1) / parts);
        }
    }

    /** Examples {@code [from, to)}, in the thread's region of the scratch at {@code region}. */
    private static void range(WinogradPlan plan, Buf in, Buf bias, Buf out, Buf scratch, int region, int from, int to,
            Activation act, float param, boolean accumulate) {
        int oh = plan.outHeight;
        if (plan.adjoint) {
            for (int n = from; n < to; n++) {
                adjointExample(plan, in, n, out, scratch, region, accumulate);
            }
            return;
        }
        for (int n = from; n < to; n++) {
            for (int y0 = 0; y0 < oh; y0 += plan.rowsPerChunk()) {
                chunk(plan, in, n, y0, Math.min(oh, y0 + plan.rowsPerChunk()), bias, out, scratch, region, act, param,
                        accumulate);
            }
        }
    }

    /**
     * {@code V [alpha][C*kh][tiles]} of output rows {@code [y0, y1)} of example {@code n} at {@code
     * scratch[vOffset ..]}: row {@code (c, ky)} holds the transformed tiles of input row {@code y + ky
     * - padTop} for each output row {@code y}, zero where that row is padding.
     */
    private static void transformInput(WinogradPlan plan, Buf in, int n, int y0, int y1, Buf scratch, int vOffset) {
        WinogradTransform t = plan.transform;
        int alpha = t.alpha();
        int height = plan.height;
        int width = plan.width;
        int kh = plan.kh;
        int pt = plan.padTop;
        int channels = plan.channels;
        int tilesX = plan.tilesX();
        int depth = plan.depth();
        int rows = y1 - y0;
        int tiles = rows * tilesX;
        // The input rows these output rows read, clipped to the image.
        int r0 = Math.max(0, y0 - pt);
        int r1 = Math.min(height, y1 - pt + kh - 1);
        int inRows = Math.max(0, r1 - r0);
        int count = channels * inRows * tilesX;
        Work work = WORK.get();
        float[][] d = work.tiles(alpha, count);
        float[][] v = work.transformedTiles(alpha, count);

        // Tiles of each input row, one array per position within the tile, then B^T over whole arrays.
        int rowLength = TILE * tilesX + t.r() - 1;
        float[] row = work.row(rowLength);
        FloatBuffer xs = in.data;
        int inOffset = n * channels * height * width;
        for (int c = 0; c < channels; c++) {
            for (int rr = r0; rr < r1; rr++) {
                xs.get(inOffset + (c * height + rr) * width, row, plan.padLeft, width);
                gather(row, d, (c * inRows + rr - r0) * tilesX, tilesX, alpha);
            }
        }
        combine(t.bt(), d, v, count);

        // V [alpha][C*kh][tiles]: kernel row ky of output row y reads input row y + ky - pt.
        FloatBuffer ss = scratch.data;
        // Built on the heap and moved in one copy: a put per run of rows costs more than the run.
        // Entries for rows in the padding above and below are zero for every point, so only the
        // first point writes them.
        int vFloats = depth * tiles;
        float[] vm = work.matrix(vFloats);
        for (int xi = 0; xi < alpha; xi++) {
            float[] vx = v[xi];
            for (int c = 0; c < channels; c++) {
                for (int ky = 0; ky < kh; ky++) {
                    int dst = (c * kh + ky) * tiles;
                    int lo = Math.min(y1, Math.max(y0, pt - ky));
                    int hi = Math.max(lo, Math.min(y1, height + pt - ky));
                    if (xi == 0) {
                        Arrays.fill(vm, dst, dst + (lo - y0) * tilesX, 0f);
                        Arrays.fill(vm, dst + (hi - y0) * tilesX, dst + tiles, 0f);
                    }
                    if (hi > lo) {
                        System.arraycopy(vx, (c * inRows + lo + ky - pt - r0) * tilesX, vm,
                                dst + (lo - y0) * tilesX, (hi - lo) * tilesX);
                    }
                }
            }
            ss.put(vOffset + xi * vFloats, vm, 0, vFloats);
        }
    }

    /** Output rows {@code [y0, y1)} of example {@code n}. */
    private static void chunk(WinogradPlan plan, Buf in, int n, int y0, int y1, Buf bias, Buf out, Buf scratch,
            int region, Activation act, float param, boolean accumulate) {
        WinogradTransform t = plan.transform;
        int alpha = t.alpha();
        int filters = plan.filters;
        int tilesX = plan.tilesX();
        int depth = plan.depth();
        int rows = y1 - y0;
        int tiles = rows * tilesX;
        FloatBuffer ss = scratch.data;
        int vOffset = region;
        int mOffset = region + alpha * depth * tiles;
        Work work = WORK.get();
        transformInput(plan, in, n, y0, y1, scratch, vOffset);
        for (int xi = 0; xi < alpha; xi++) {
            Blas.sgemm(false, false, filters, tiles, depth, 1f, scratch, xi * filters * depth, depth, scratch,
                    vOffset + xi * depth * tiles, tiles, 0f, scratch, mOffset + xi * filters * tiles, tiles);
        }

        // A^T over whole arrays, then each tile's 4 outputs into its row.
        int products = filters * tiles;
        float[][] m = work.products(alpha, products);
        for (int xi = 0; xi < alpha; xi++) {
            ss.get(mOffset + xi * products, m[xi], 0, products);
        }
        float[][] ys = work.outputs(TILE, products);
        combine(t.at(), m, ys, products);
        int ow = plan.outWidth;
        int plane = plan.outHeight * ow;
        // TILE - 1 floats of slack for the last row's last tile (see scatter).
        float[] staged = work.staged(rows * ow + TILE - 1);
        float[] old = accumulate ? work.old(rows * ow) : null;
        FloatBuffer os = out.data;
        int outOffset = n * filters * plane + y0 * ow;
        for (int o = 0; o < filters; o++) {
            for (int yl = 0; yl < rows; yl++) {
                scatter(ys, (o * rows + yl) * tilesX, staged, yl * ow, tilesX);
            }
            int at = outOffset + o * plane;
            if (accumulate) {
                os.get(at, old, 0, rows * ow);
                for (int i = 0; i < rows * ow; i++) {
                    staged[i] += old[i];
                }
            } else if (bias != null || act != Activation.IDENTITY) {
                Activations.applyWithBias(act, param, staged, rows * ow, bias == null ? 0f : bias.data.get(o));
            }
            os.put(at, staged, 0, rows * ow);
        }
    }

    /** A call's examples in parts (all of them, or two halves of the batch), each in its own region of the scratch. */
    private static final class Job implements Workers.Parts {
        private WinogradPlan plan;
        private Buf in;
        private Buf bias;
        private Buf out;
        private Buf scratch;
        private int batch;
        private Activation act;
        private float param;
        private boolean accumulate;

        void set(WinogradPlan plan, Buf in, Buf bias, Buf out, Buf scratch, int batch, Activation act, float param,
                boolean accumulate) {
            this.plan = plan;
            this.in = in;
            this.bias = bias;
            this.out = out;
            this.scratch = scratch;
            this.batch = batch;
            this.act = act;
            this.param = param;
            this.accumulate = accumulate;
        }

        @Override
        public void run(int part, int parts) {
            int region = plan.shared() + part * plan.regionFloats();
            int from = batch * part / parts;
            int to = batch * (part + 1) / parts;
            if (plan.weights) {
                weightRange(plan, in, out, scratch, region, from, to);
            } else {
                range(plan, in, bias, out, scratch, region, from, to, act, param, accumulate);
            }
        }
    }

    /** One thread's heap arrays, grown on demand and then kept. */
    private static final class Work {
        private float[] kernel = new float[0];
        private float[] transformed = new float[0];
        private float[] row = new float[0];
        private float[] matrix = new float[0];
        private float[] staged = new float[0];
        private float[] old = new float[0];
        private float[][] tiles = new float[0][0];
        private float[][] transformedTiles = new float[0][0];
        private float[][] products = new float[0][0];
        private float[][] outputs = new float[0][0];
        private float[][] taps = new float[0][0];
        private double[] sums = new double[0];

        float[] kernel(int n) {
            return kernel = grow(kernel, n);
        }

        float[] transformed(int n) {
            return transformed = grow(transformed, n);
        }

        /** A zero-filled row: the padding around the copied input stays zero. */
        float[] row(int n) {
            row = grow(row, n);
            Arrays.fill(row, 0, n, 0f);
            return row;
        }

        float[] matrix(int n) {
            return matrix = grow(matrix, n);
        }

        float[] staged(int n) {
            return staged = grow(staged, n);
        }

        float[] old(int n) {
            return old = grow(old, n);
        }

        float[][] tiles(int arrays, int n) {
            return tiles = grow(tiles, arrays, n);
        }

        float[][] transformedTiles(int arrays, int n) {
            return transformedTiles = grow(transformedTiles, arrays, n);
        }

        float[][] products(int arrays, int n) {
            return products = grow(products, arrays, n);
        }

        float[][] outputs(int arrays, int n) {
            return outputs = grow(outputs, arrays, n);
        }

        float[][] taps(int arrays, int n) {
            return taps = grow(taps, arrays, n);
        }

        double[] sums(int n) {
            return sums = sums.length >= n ? sums : new double[n];
        }

        private static float[] grow(float[] a, int n) {
            return a.length >= n ? a : new float[n];
        }

        private static float[][] grow(float[][] a, int arrays, int n) {
            if (a.length < arrays) {
                a = Arrays.copyOf(a, arrays);
            }
            for (int i = 0; i < arrays; i++) {
                if (a[i] == null || a[i].length < n) {
                    a[i] = new float[n];
                }
            }
            return a;
        }
    }
}
