package org.dnnc.runtime.cpu;

import java.nio.FloatBuffer;

/**
 * The 2-d convolution with PyTorch's layouts: {@code x [N, C, H, W]}, kernel {@code w [O, C, kh,
 * kw]}, {@code bias [O]}, {@code y = act(conv(x, w) + bias) [N, O, oh, ow]}; the shape, strides and
 * padding of one example come in a {@link ConvGeometry}, the batch size with each call.
 *
 * <p>Each pass runs by a {@link ConvAlgorithm}, which generated code names (the compiler picks it
 * per layer from the shape) and the overloads without one pick by the same rules. Stride-1
 * convolutions with 3- or 5-wide kernels run through the row-wise Winograd algorithm ({@link
 * WinogradRows}) where it measured faster, in the same scratch; small maps put several examples'
 * column matrices into one GEMM. Otherwise each example is one GEMM through OpenBLAS over its im2col
 * matrix ({@link Im2col}): forward
 * {@code y_n = W col(x_n)}, weight gradient {@code dW += dz_n col(x_n)^T}, input gradient {@code
 * dx_n = col2im(W^T dz_n)}. The column matrix lives in a caller-provided {@code scratch} view of
 * {@link #scratchFloats} floats, which the memory planner reserves like any other buffer (it is
 * dead between calls, so every convolution of a program may share one). A pointwise convolution (1x1
 * kernel, stride 1, no padding) multiplies the input directly and needs no scratch.
 *
 * <p>A training step through one layer is, in order:
 *
 * <pre>{@code
 * Conv2d.forward(g, x, w, b, y, scratch, batch, act, param);              // y saved for backward
 * Conv2d.biasBackward(act, param, y, dy, dz, db, batch, g.filters(), oh * ow, false); // dz may be dy
 * Conv2d.backwardWeights(g, dz, x, dw, scratch, batch, false);
 * Conv2d.backwardInput(g, dz, w, dx, scratch, batch, false);              // skip for the first layer
 * }</pre>
 *
 * <p>The {@code accumulate} flags add to the gradient instead of overwriting it, as in {@link
 * Dense}. Views must not overlap except where stated; {@code scratch} overlaps nothing.
 *
 * <p>Threads: each call runs on the calling thread, and OpenBLAS may thread each GEMM (it does in a
 * {@link CpuContext} of more than two threads). In a context of two threads (OpenBLAS at one) the
 * batch is split in two halves run side by side, when the scratch view holds the pass's scratch for
 * two threads ({@link #forwardScratchFloats}, {@link #inputGradientScratchFloats}, {@link
 * #weightGradientScratchFloats}; {@link #scratchFloats(ConvGeometry, int) scratchFloats(g, 2)} for
 * all three); with a smaller one the call quietly stays on one thread, or Winograd rows on fewer
 * output rows per chunk, so the planner decides how many threads a convolution can use.
 */
public final class Conv2d {

    private static final int EPILOGUE_ROW = 3;


    private static final int FORWARD = 0;
    private static final int BACKWARD_INPUT = 1;
    private static final int BACKWARD_WEIGHTS = 2;

    private static final ThreadLocal<Job> JOB = ThreadLocal.withInitial(Job::new);


    private Conv2d() {}

    /**
     * Floats of scratch that {@link #forward}, {@link #backwardInput} and {@link
     * #backwardWeights} run in for this shape on one thread, whatever the batch size and algorithm:
     * {@link #scratchFloats(ConvGeometry, int) scratchFloats(g, 1)}. The calls take less, down to
     * a thread's region for im2col (one column matrix, or a batched group's); Winograd rows then run
     * on fewer output rows per chunk, or im2col in their place.
     */
    public static int scratchFloats(ConvGeometry g) {
        return scratchFloats(g, 1);
    }

    /**
     * Floats of scratch that lets the kernels split a batch over {@code threads} threads (see
     * {@link Workers}) in every pass: the largest of {@link #forwardScratchFloats}, {@link
     * #inputGradientScratchFloats} and {@link #weightGradientScratchFloats}.
     */
    public static int scratchFloats(ConvGeometry g, int threads) {
        return Math.max(forwardScratchFloats(g, threads),
                Math.max(inputGradientScratchFloats(g, threads), weightGradientScratchFloats(g, threads)));
    }

    /**
     * Floats of scratch for {@link #forward} on {@code threads} threads by the algorithm the rules
     * pick: a region per thread (one example's column matrix {@code C*kh*kw * oh*ow}, or for {@link
     * ConvAlgorithm#IM2COL_BATCHED} the column matrices and outputs of its examples, whichever is
     * larger), or where the rules pick {@link ConvAlgorithm#WINOGRAD}, what Winograd rows need with a
     * whole example's output rows per chunk (the transformed kernel and a region per thread) if that
     * is more.
     */
    public static int forwardScratchFloats(ConvGeometry g, int threads) {
        return Math.max(threadRegions(g, threads), WinogradPlan.forwardFloats(g, threads));
    }

    /** {@link #forwardScratchFloats} for {@link #backwardInput}, either Winograd form included. */
    public static int inputGradientScratchFloats(ConvGeometry g, int threads) {
        return Math.max(threadRegions(g, threads), WinogradPlan.inputGradientFloats(g, threads));
    }

    /**
     * {@link #forwardScratchFloats} for {@link #backwardWeights}, which also needs a partial sum of
     * the kernel per thread but the first ({@code (threads - 1) * O*C*kh*kw}); Winograd rows keep
     * their transformed sums in each thread's region.
     */
    public static int weightGradientScratchFloats(ConvGeometry g, int threads) {
        return Math.max(threadRegions(g, threads) + (threads - 1) * g.weightSize(),
                WinogradPlan.weightFloats(g, threads));
    }

    /** A region per thread for the GEMM-based algorithms on {@code threads} threads. */
    private static int threadRegions(ConvGeometry g, int threads) {
        if (threads < 1) {
            throw new IllegalArgumentException("threads must be positive, got " + threads);
        }
        return threads * leastFloats(g);
    }

    /** The least scratch a call takes: a thread's region for the GEMM-based algorithms. */
    private static int leastFloats(ConvGeometry g) {
        return Math.max(columnFloats(g), batchedFloats(g));
    }

    private static int columnFloats(ConvGeometry g) {
        return g.isPointwise() ? 0 : g.patchSize() * g.outHeight() * g.outWidth();
    }

    /** A thread's region for {@link ConvAlgorithm#IM2COL_BATCHED}, or 0 where the rules never pick it. */
    private static int batchedFloats(ConvGeometry g) {
        if (ConvAlgorithm.forward(g) != ConvAlgorithm.IM2COL_BATCHED
                && ConvAlgorithm.inputGradient(g) != ConvAlgorithm.IM2COL_BATCHED
                && ConvAlgorithm.weightGradient(g) != ConvAlgorithm.IM2COL_BATCHED) {
            return 0;
        }
        return (g.patchSize() + g.filters()) * ConvAlgorithm.examplesPerGemm(g) * g.outHeight() * g.outWidth();
    }

    /** A thread's region of the scratch for {@code algorithm}. */
    private static int regionFloats(ConvAlgorithm algorithm, ConvGeometry g) {
        return switch (algorithm) {
            case IM2COL_BATCHED -> (g.patchSize() + g.filters()) * ConvAlgorithm.examplesPerGemm(g) * g.outHeight()
                    * g.outWidth();
            case POINTWISE -> 0;
            default -> columnFloats(g);
        };
    }

    /**
     * {@code y = act(conv(x, w) + bias)} by the algorithm the shape's rules pick ({@link
     * ConvAlgorithm#forward}); see {@link #forward(ConvAlgorithm, ConvGeometry, Buf, Buf, Buf, Buf,
     * Buf, int, Activation, float)}.
     */
    public static void forward(ConvGeometry g, Buf x, Buf w, Buf bias, Buf y, Buf scratch, int batch,
            Activation act, float param) {
        forward(ConvAlgorithm.forward(g), g, x, w, bias, y, scratch, batch, act, param);
    }

    /**
     * {@code y = act(conv(x, w) + bias)} by {@code algorithm}; {@code bias} may be {@code null}.
     * {@code y} must not overlap {@code x}, {@code w} or {@code scratch}; {@code scratch} may be
     * {@code null} for a pointwise convolution. An algorithm that does not apply to the shape ({@link
     * ConvAlgorithm#POINTWISE} on a 3x3 kernel, Winograd on a stride of 2 or in a scratch too small
     * for it) runs as {@link ConvAlgorithm#IM2COL}.
     */
    public static void forward(ConvAlgorithm algorithm, ConvGeometry g, Buf x, Buf w, Buf bias, Buf y, Buf scratch,
            int batch, Activation act, float param) {
        check(g, batch, x, "x", g.inputSize(), y, "y", g.outputSize(), w, scratch);
        if (algorithm == ConvAlgorithm.ONEDNN) {
            if (OneDnnConv.forward(g, x, w, bias, y, batch, act, param)) {
                return;
            }
            algorithm = ConvAlgorithm.forward(g);
        }
        WinogradPlan winograd = algorithm == ConvAlgorithm.WINOGRAD ? WinogradPlan.forward(g, scratch, batch, true)
                : null;
        if (winograd != null) {
            WinogradRows.run(winograd, x, w, bias, y, scratch, batch, act, param, false);
            return;
        }
        ConvAlgorithm direct = direct(algorithm, g, scratch);
        if (split(scratch, batch, 2 * regionFloats(direct, g))) {
            Job job = JOB.get();
            job.set(FORWARD, direct, g, x, w, bias, y, scratch, batch, act, param, false);
            runTwo(job);
        } else {
            forwardRange(direct, g, x, w, bias, y, scratch, 0, 0, batch, act, param);
        }
    }

    /**
     * Floats of scratch that a call with an operand in {@link Layout#NCHW16C} needs ahead of its
     * algorithm's ({@link #forwardScratchFloats} and the others, which follow them): one example's
     * input and output in NCHW, for the fallback that reorders example by example where oneDNN
     * does not run (0 for an operand in NCHW).
     */
    public static int layoutScratchFloats(ConvGeometry g, Layout in, Layout out) {
        return BlockedConv.scratchFloats(g, in, out);
    }

    /**
     * {@link #forward(ConvAlgorithm, ConvGeometry, Buf, Buf, Buf, Buf, Buf, int, Activation, float)}
     * with {@code x} in layout {@code in} and {@code y} in {@code out}. With an operand in {@link
     * Layout#NCHW16C}, {@code scratch} starts with {@link #layoutScratchFloats} floats, and {@link
     * ConvAlgorithm#ONEDNN} runs oneDNN on the views where it may, else the rules' algorithm.
     */
    public static void forward(ConvAlgorithm algorithm, ConvGeometry g, Buf x, Buf w, Buf bias, Buf y, Buf scratch,
            int batch, Activation act, float param, Layout in, Layout out) {
        if (in == Layout.NCHW && out == Layout.NCHW) {
            forward(algorithm, g, x, w, bias, y, scratch, batch, act, param);
        } else {
            BlockedConv.forward(algorithm, g, x, w, bias, y, scratch, batch, act, param, in, out);
        }
    }

    /**
     * {@link #backwardInput(ConvAlgorithm, ConvGeometry, Buf, Buf, Buf, Buf, int, boolean)} with
     * {@code dx} in layout {@code in} and {@code dz} in {@code out}, as {@link #forward(ConvAlgorithm,
     * ConvGeometry, Buf, Buf, Buf, Buf, Buf, int, Activation, float, Layout, Layout)}.
     */
    public static void backwardInput(ConvAlgorithm algorithm, ConvGeometry g, Buf dz, Buf w, Buf dx, Buf scratch,
            int batch, boolean accumulate, Layout in, Layout out) {
        if (in == Layout.NCHW && out == Layout.NCHW) {
            backwardInput(algorithm, g, dz, w, dx, scratch, batch, accumulate);
        } else {
            BlockedConv.inputGradient(algorithm, g, dz, w, dx, scratch, batch, accumulate, in, out);
        }
    }

    /**
     * {@link #backwardWeights(ConvAlgorithm, ConvGeometry, Buf, Buf, Buf, Buf, int, boolean)} with
     * {@code x} in layout {@code in} and {@code dz} in {@code out}, as {@link #forward(ConvAlgorithm,
     * ConvGeometry, Buf, Buf, Buf, Buf, Buf, int, Activation, float, Layout, Layout)}.
     */
    public static void backwardWeights(ConvAlgorithm algorithm, ConvGeometry g, Buf dz, Buf x, Buf dw, Buf scratch,
            int batch, boolean accumulate, Layout in, Layout out) {
        if (in == Layout.NCHW && out == Layout.NCHW) {
            backwardWeights(algorithm, g, dz, x, dw, scratch, batch, accumulate);
        } else {
            BlockedConv.kernelGradient(algorithm, g, dz, x, dw, scratch, batch, accumulate, in, out);
        }
    }

    /**
     * {@code dx = conv_transpose(dz, w)} by the algorithm the shape's rules pick ({@link
     * ConvAlgorithm#inputGradient}); see {@link #backwardInput(ConvAlgorithm, ConvGeometry, Buf, Buf,
     * Buf, Buf, int, boolean)}.
     */
    public static void backwardInput(ConvGeometry g, Buf dz, Buf w, Buf dx, Buf scratch, int batch,
            boolean accumulate) {
        backwardInput(ConvAlgorithm.inputGradient(g), g, dz, w, dx, scratch, batch, accumulate);
    }

    /**
     * {@code dx = conv_transpose(dz, w)}, the gradient of the input ({@code dx +=} when {@code
     * accumulate}) by {@code algorithm} ({@link ConvAlgorithm#WINOGRAD} is the adjoint of the
     * forward algorithm); {@code dz [N, O, oh, ow]} is the gradient after the activation (see {@link
     * #biasBackward}). An algorithm that does not apply runs as {@link ConvAlgorithm#IM2COL}.
     */
    public static void backwardInput(ConvAlgorithm algorithm, ConvGeometry g, Buf dz, Buf w, Buf dx, Buf scratch,
            int batch, boolean accumulate) {
        check(g, batch, dx, "dx", g.inputSize(), dz, "dz", g.outputSize(), w, scratch);
        if (algorithm == ConvAlgorithm.ONEDNN) {
            algorithm = ConvAlgorithm.inputGradient(g);
        }
        WinogradPlan winograd = switch (algorithm) {
            case WINOGRAD -> WinogradPlan.adjointInputGradient(g, scratch, batch, true);
            case WINOGRAD_TRANSPOSED -> WinogradPlan.transposedInputGradient(g, scratch, batch, true);
            default -> null;
        };
        if (winograd != null) {
            WinogradRows.run(winograd, dz, w, null, dx, scratch, batch, Activation.IDENTITY, 0f, accumulate);
            return;
        }
        ConvAlgorithm direct = direct(algorithm, g, scratch);
        if (split(scratch, batch, 2 * regionFloats(direct, g))) {
            Job job = JOB.get();
            job.set(BACKWARD_INPUT, direct, g, dz, w, null, dx, scratch, batch, Activation.IDENTITY, 0f, accumulate);
            runTwo(job);
        } else {
            backwardInputRange(direct, g, dz, w, dx, scratch, 0, 0, batch, accumulate);
        }
    }

    /**
     * {@code dW = sum_n dz_n col(x_n)^T} by the algorithm the shape's rules pick ({@link
     * ConvAlgorithm#weightGradient}); see {@link #backwardWeights(ConvAlgorithm, ConvGeometry, Buf,
     * Buf, Buf, Buf, int, boolean)}.
     */
    public static void backwardWeights(ConvGeometry g, Buf dz, Buf x, Buf dw, Buf scratch, int batch,
            boolean accumulate) {
        backwardWeights(ConvAlgorithm.weightGradient(g), g, dz, x, dw, scratch, batch, accumulate);
    }

    /**
     * {@code dW = sum_n dz_n col(x_n)^T}, the gradient of the kernel {@code [O, C, kh, kw]} ({@code
     * dW +=} when {@code accumulate}) by {@code algorithm}. An algorithm that does not apply runs as
     * {@link ConvAlgorithm#IM2COL}.
     */
    public static void backwardWeights(ConvAlgorithm algorithm, ConvGeometry g, Buf dz, Buf x, Buf dw, Buf scratch,
            int batch, boolean accumulate) {
        check(g, batch, x, "x", g.inputSize(), dz, "dz", g.outputSize(), dw, scratch);
        if (batch == 0 && !accumulate) {
            Elementwise.fill(dw, g.weightSize(), 0f);
        }
        if (algorithm == ConvAlgorithm.ONEDNN) {
            algorithm = ConvAlgorithm.weightGradient(g);
        }
        WinogradPlan winograd = algorithm == ConvAlgorithm.WINOGRAD
                ? WinogradPlan.weightGradient(g, scratch, batch, true) : null;
        if (winograd != null) {
            WinogradRows.runWeights(winograd, dz, x, dw, scratch, batch, accumulate);
            return;
        }
        ConvAlgorithm direct = direct(algorithm, g, scratch);
        int region = regionFloats(direct, g);
        if (split(scratch, batch, 2 * region + g.weightSize())) {
            Job job = JOB.get();
            job.set(BACKWARD_WEIGHTS, direct, g, dz, x, null, dw, scratch, batch, Activation.IDENTITY, 0f,
                    accumulate);
            runTwo(job);
            // The second half's partial sum sits after the two regions.
            int partial = 2 * region;
            Chunks c = Chunks.get();
            float[] a = c.a;
            float[] b = c.b;
            for (int start = 0, n = g.weightSize(); start < n; start += Chunks.SIZE) {
                int len = Math.min(Chunks.SIZE, n - start);
                dw.data.get(start, a, 0, len);
                scratch.data.get(partial + start, b, 0, len);
                for (int i = 0; i < len; i++) {
                    a[i] += b[i];
                }
                dw.data.put(start, a, 0, len);
            }
        } else {
            backwardWeightsRange(direct, g, dz, x, dw, 0, scratch, 0, 0, batch, accumulate);
        }
    }

    /**
     * The GEMM-based algorithm that runs {@code algorithm} on {@code g}: batched where the scratch
     * holds a group's region, else one example at a time (pointwise where the shape is).
     */
    private static ConvAlgorithm direct(ConvAlgorithm algorithm, ConvGeometry g, Buf scratch) {
        if (algorithm == ConvAlgorithm.IM2COL_BATCHED && scratch != null
                && scratch.size >= regionFloats(ConvAlgorithm.IM2COL_BATCHED, g)) {
            return ConvAlgorithm.IM2COL_BATCHED;
        }
        return g.isPointwise() ? ConvAlgorithm.POINTWISE : ConvAlgorithm.IM2COL;
    }

    /** Whether to split this call over two threads: asked for, worth it, and the scratch allows it. */
    private static boolean split(Buf scratch, int batch, int needed) {
        return Workers.threads() >= 2 && batch >= 2 && (needed == 0 || scratch != null && scratch.size >= needed);
    }

    private static void runTwo(Job job) {
        try {
            Workers.runTwo(job);
        } finally {
            job.clear();
        }
    }

    private static void forwardRange(ConvAlgorithm algorithm, ConvGeometry g, Buf x, Buf w, Buf bias, Buf y,
            Buf scratch, int colOffset, int from, int to, Activation act, float param) {
        if (algorithm == ConvAlgorithm.IM2COL_BATCHED) {
            forwardBatched(g, x, w, bias, y, scratch, colOffset, from, to, act, param);
            return;
        }
        int spatial = g.outHeight() * g.outWidth();
        int k = g.patchSize();
        int filters = g.filters();
        boolean epilogue = bias != null || act != Activation.IDENTITY;
        float[] biasRow = epilogue ? ConvEpilogue.biasRow(bias, filters, spatial) : null;
        for (int n = from; n < to; n++) {
            int yOffset = n * filters * spatial;
            if (algorithm == ConvAlgorithm.POINTWISE) {
                Blas.sgemm(false, false, filters, spatial, k, 1f, w, 0, k, x, n * g.inputSize(), spatial,
                        0f, y, yOffset, spatial);
            } else {
                Im2col.im2col(g, x, n * g.inputSize(), scratch, colOffset, spatial);
                Blas.sgemm(false, false, filters, spatial, k, 1f, w, 0, k, scratch, colOffset, spatial,
                        0f, y, yOffset, spatial);
            }
            if (epilogue) {
                // While this example's output is still in cache.
                ConvEpilogue.apply(act, param, y, yOffset, bias, biasRow, filters, spatial);
            }
        }
    }

    /**
     * {@link ConvAlgorithm#IM2COL_BATCHED}'s forward pass over examples {@code [from, to)}: the
     * column matrices of up to {@code examplesPerGemm} examples side by side, one GEMM into the
     * region after them, then each filter's row through the epilogue and back to its examples.
     */
    private static void forwardBatched(ConvGeometry g, Buf x, Buf w, Buf bias, Buf y, Buf scratch, int colOffset,
            int from, int to, Activation act, float param) {
        int spatial = g.outHeight() * g.outWidth();
        int k = g.patchSize();
        int filters = g.filters();
        int group = ConvAlgorithm.examplesPerGemm(g);
        int outOffset = colOffset + k * group * spatial;
        FloatBuffer ss = scratch.data;
        FloatBuffer ys = y.data;
        for (int n0 = from; n0 < to; n0 += group) {
            int count = Math.min(group, to - n0);
            int width = count * spatial;
            Im2col.im2colGroup(g, x, n0 * g.inputSize(), count, scratch, colOffset, width);
            Blas.sgemm(false, false, filters, width, k, 1f, w, 0, k, scratch, colOffset, width, 0f, scratch,
                    outOffset, width);
            float[] row = Staging.get().floats(EPILOGUE_ROW, width);
            for (int o = 0; o < filters; o++) {
                ss.get(outOffset + o * width, row, 0, width);
                Activations.applyWithBias(act, param, row, width, bias == null ? 0f : bias.data.get(o));
                for (int j = 0; j < count; j++) {
                    ys.put((n0 + j) * g.outputSize() + o * spatial, row, j * spatial, spatial);
                }
            }
        }
    }

    /**
     * Copies the output gradients of examples {@code [n0, n0 + count)} side by side into {@code
     * scratch[offset ..]}, {@code [O, count * oh*ow]}, for {@link ConvAlgorithm#IM2COL_BATCHED}.
     */
    private static void gatherBatched(ConvGeometry g, Buf dz, int n0, int count, Buf scratch, int offset) {
        int spatial = g.outHeight() * g.outWidth();
        int width = count * spatial;
        float[] row = Staging.get().floats(EPILOGUE_ROW, width);
        FloatBuffer zs = dz.data;
        for (int o = 0; o < g.filters(); o++) {
            for (int j = 0; j < count; j++) {
                zs.get((n0 + j) * g.outputSize() + o * spatial, row, j * spatial, spatial);
            }
            scratch.data.put(offset + o * width, row, 0, width);
        }
    }

    private static void backwardInputRange(ConvAlgorithm algorithm, ConvGeometry g, Buf dz, Buf w, Buf dx,
            Buf scratch, int colOffset, int from, int to, boolean accumulate) {
        int spatial = g.outHeight() * g.outWidth();
        int k = g.patchSize();
        int filters = g.filters();
        if (algorithm == ConvAlgorithm.IM2COL_BATCHED) {
            int group = ConvAlgorithm.examplesPerGemm(g);
            int dzOffset = colOffset + k * group * spatial;
            for (int n0 = from; n0 < to; n0 += group) {
                int count = Math.min(group, to - n0);
                int width = count * spatial;
                gatherBatched(g, dz, n0, count, scratch, dzOffset);
                Blas.sgemm(true, false, k, width, filters, 1f, w, 0, k, scratch, dzOffset, width, 0f, scratch,
                        colOffset, width);
                Im2col.col2imGroup(g, scratch, colOffset, width, count, dx, n0 * g.inputSize(), accumulate);
            }
            return;
        }
        for (int n = from; n < to; n++) {
            int dzOffset = n * filters * spatial;
            if (algorithm == ConvAlgorithm.POINTWISE) {
                Blas.sgemm(true, false, k, spatial, filters, 1f, w, 0, k, dz, dzOffset, spatial,
                        accumulate ? 1f : 0f, dx, n * g.inputSize(), spatial);
            } else {
                Blas.sgemm(true, false, k, spatial, filters, 1f, w, 0, k, dz, dzOffset, spatial,
                        0f, scratch, colOffset, spatial);
                Im2col.col2im(g, scratch, colOffset, spatial, dx, n * g.inputSize(), accumulate);
            }
        }
    }

    /** The weight gradient of examples {@code [from, to)} into {@code dw[dwOffset ..]}. */
    private static void backwardWeightsRange(ConvAlgorithm algorithm, ConvGeometry g, Buf dz, Buf x, Buf dw,
            int dwOffset, Buf scratch, int colOffset, int from, int to, boolean accumulate) {
        int spatial = g.outHeight() * g.outWidth();
        int k = g.patchSize();
        int filters = g.filters();
        if (algorithm == ConvAlgorithm.IM2COL_BATCHED) {
            int group = ConvAlgorithm.examplesPerGemm(g);
            int dzOffset = colOffset + k * group * spatial;
            for (int n0 = from; n0 < to; n0 += group) {
                int count = Math.min(group, to - n0);
                int width = count * spatial;
                float beta = n0 == from && !accumulate ? 0f : 1f;
                Im2col.im2colGroup(g, x, n0 * g.inputSize(), count, scratch, colOffset, width);
                gatherBatched(g, dz, n0, count, scratch, dzOffset);
                Blas.sgemm(false, true, filters, k, width, 1f, scratch, dzOffset, width, scratch, colOffset, width,
                        beta, dw, dwOffset, k);
            }
            return;
        }
        for (int n = from; n < to; n++) {
            float beta = n == from && !accumulate ? 0f : 1f;
            int dzOffset = n * filters * spatial;
            if (algorithm == ConvAlgorithm.POINTWISE) {
                Blas.sgemm(false, true, filters, k, spatial, 1f, dz, dzOffset, spatial, x, n * g.inputSize(), spatial,
                        beta, dw, dwOffset, k);
            } else {
                Im2col.im2col(g, x, n * g.inputSize(), scratch, colOffset, spatial);
                Blas.sgemm(false, true, filters, k, spatial, 1f, dz, dzOffset, spatial, scratch, colOffset, spatial,
                        beta, dw, dwOffset, k);
            }
        }
    }

    /**
     * One call split in two halves of the batch, handed to {@link Workers} without allocating: the
     * arguments sit in this per-caller object for the duration of the call.
     */
    private static final class Job implements Workers.Parts {
        private int kind;
        private ConvAlgorithm algorithm;
        private ConvGeometry g;
        private Buf in;
        private Buf w;
        private Buf bias;
        private Buf out;
        private Buf scratch;
        private int batch;
        private Activation act;
        private float param;
        private boolean accumulate;

        void set(int kind, ConvAlgorithm algorithm, ConvGeometry g, Buf in, Buf w, Buf bias, Buf out, Buf scratch,
                int batch, Activation act, float param, boolean accumulate) {
            this.kind = kind;
            this.algorithm = algorithm;
            this.g = g;
            this.in = in;
            this.w = w;
            this.bias = bias;
            this.out = out;
            this.scratch = scratch;
            this.batch = batch;
            this.act = act;
            this.param = param;
            this.accumulate = accumulate;
        }

        /** Drops the references, so that a finished call keeps no views alive. */
        void clear() {
            set(0, null, null, null, null, null, null, null, 0, null, 0f, false);
        }

        @Override
        public void run(int part, int parts) {
            int from = (int) ((long) batch * part / parts);
            int to = (int) ((long) batch * (part + 1) / parts);
            int region = regionFloats(algorithm, g);
            int colOffset = part * region;
            switch (kind) {
                case FORWARD -> forwardRange(algorithm, g, in, w, bias, out, scratch, colOffset, from, to, act, param);
                case BACKWARD_INPUT -> backwardInputRange(algorithm, g, in, w, out, scratch, colOffset, from, to,
                        accumulate);
                case BACKWARD_WEIGHTS -> {
                    // in = dz, w = x; part 0 writes dW itself, part 1 its partial sum in the scratch.
                    if (part == 0) {
                        backwardWeightsRange(algorithm, g, in, w, out, 0, scratch, colOffset, from, to, accumulate);
                    } else {
                        backwardWeightsRange(algorithm, g, in, w, scratch, parts * region, scratch, colOffset, from,
                                to, false);
                    }
                }
                default -> throw new AssertionError(kind);
            }
        }
    }

    /**
     * {@code db[c] = sum over n and positions of dz[n, c, :]} ({@code +=} when {@code accumulate}),
     * for a convolution without a fused activation; with one, {@link #biasBackward} computes it in
     * the same pass.
     */
    public static void backwardBias(Buf dz, Buf db, int batch, int channels, int spatial, boolean accumulate) {
        ConvBiasGradient.run(Activation.IDENTITY, 0f, dz, dz, dz, db, batch, channels, spatial, accumulate, Layout.NCHW);
    }

    /** {@link #backwardBias(Buf, Buf, int, int, int, boolean)} of {@code dz} in {@code layout}. */
    public static void backwardBias(Buf dz, Buf db, int batch, int channels, int spatial, boolean accumulate,
            Layout layout) {
        layout.check(channels);
        ConvBiasGradient.run(Activation.IDENTITY, 0f, dz, dz, dz, db, batch, channels, spatial, accumulate, layout);
    }

    /**
     * The convolution's backward epilogue in one pass over {@code [batch, channels, spatial]}:
     * {@code dz = dy * act'(y)} (from the saved output {@code y}; see {@link Activation}) and
     * {@code db[c] = sum_{n, p} dz[n, c, p]} ({@code +=} when {@code accumulateBias}). {@code dz}
     * may be {@code dy}; {@code db} may be {@code null}. Sums are kept per position in float for up
     * to 32 examples, then per channel in {@code double}; with two {@link Workers} threads each half
     * of the batch is summed apart, then the two added.
     */
    public static void biasBackward(Activation act, float param, Buf y, Buf dy, Buf dz, Buf db, int batch,
            int channels, int spatial, boolean accumulateBias) {
        ConvBiasGradient.run(act, param, y, dy, dz, db, batch, channels, spatial, accumulateBias, Layout.NCHW);
    }

    private static void check(ConvGeometry g, int batch, Buf in, String inName, int inSize, Buf out, String outName,
            int outSize, Buf w, Buf scratch) {
        if (batch < 0) {
            throw new IllegalArgumentException("negative batch " + batch);
        }
        checkSize(in, inName, (long) batch * inSize);
        checkSize(out, outName, (long) batch * outSize);
        checkSize(w, "kernel", g.weightSize());
        if (!g.isPointwise()) {
            // Winograd rows fit what is there (fewer rows or threads) or leave the call to im2col.
            int least = leastFloats(g);
            if (scratch == null) {
                throw new IllegalArgumentException("this convolution needs " + least + " floats of scratch");
            }
            checkSize(scratch, "scratch", least);
        }
    }

    private static void checkSize(Buf b, String name, long needed) {
        if (b.size < needed) {
            throw new IndexOutOfBoundsException(name + " needs " + needed + " floats but its view holds " + b.size);
        }
    }
}
