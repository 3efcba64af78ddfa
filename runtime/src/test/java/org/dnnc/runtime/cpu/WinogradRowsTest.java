package org.dnnc.runtime.cpu;

import static com.google.common.truth.Truth.assertThat;

import org.junit.jupiter.api.Test;

/**
 * The row-wise Winograd convolution ({@link WinogradRows}) that {@link Conv2d} uses for stride-1
 * convolutions with 3- and 5-wide kernels, against the definition in double precision: forward
 * with bias and ReLU, and the input gradient, overwriting and accumulating; on one thread and two;
 * with the scratch for one example at a time and with too little for one, so that an example runs
 * in chunks of rows. Shapes have widths that are not a multiple of the tile (4), one-sided padding
 * and padding wider than half the kernel.
 *
 * <p>Tolerance: the transforms multiply by up to 21/4 and 8, so rounding errors grow beyond those
 * of a plain sum of products. With standard-normal inputs and kernels outputs are about {@code s =
 * sqrt(C*kh*kw)} (10 to 20 here); the worst error measured was {@code 7e-6 s} (1.4e-4 on the CNN's
 * second convolution), and the check allows {@code 5e-5 s + 5e-5 |y|}.
 */
class WinogradRowsTest {

    private static final ConvGeometry[] SHAPES = {
        ConvGeometry.same(16, 14, 14, 32, 5, 5, 1, 1), // the Fashion-MNIST CNN's second convolution
        ConvGeometry.same(12, 9, 11, 11, 3, 3, 1, 1),
        new ConvGeometry(8, 10, 13, 7, 5, 5, 1, 1, 0, 1, 2, 4),
        new ConvGeometry(7, 6, 9, 8, 5, 3, 1, 1, 1, 0, 0, 2),
        new ConvGeometry(32, 7, 7, 11, 3, 3, 1, 1, 1, 1, 1, 1),
    };

    @Test
    void forwardMatchesTheDefinition() {
        for (ConvGeometry g : SHAPES) {
            for (int threads : new int[] {1, 2}) {
                for (boolean chunked : new boolean[] {false, true}) {
                    InContext.run(threads, () -> {
                        int batch = 3;
                        Buf x = Gaussian.buf(batch * g.inputSize(), 1);
                        Buf w = Gaussian.buf(g.weightSize(), 2);
                        Buf b = Gaussian.buf(g.filters(), 3);
                        Buf scratch = scratch(g, threads, chunked);
                        WinogradPlan plan = WinogradPlan.forward(g, scratch, batch, true);
                        assertWithPlan(g, false, plan, threads, chunked);
                        Buf y = Buf.allocate(batch * g.outputSize());
                        WinogradRows.run(plan, x, w, b, y, scratch, batch, Activation.RELU, 0f, false);
                        double[] expected = forward(g, x.toArray(), w.toArray(), b.toArray(), batch);
                        Close.check(g + " forward, threads " + threads + ", chunked " + chunked, y.toArray(),
                                relu(expected), 5e-5, 5e-5 * scale(g));
                    });
                }
            }
        }
    }

    @Test
    void inputGradientMatchesTheDefinition() {
        // Both ways: the adjoint of the forward algorithm, and the transposed convolution.
        for (boolean adjoint : new boolean[] {true, false}) {
            for (ConvGeometry g : SHAPES) {
                for (int threads : new int[] {1, 2}) {
                    for (boolean chunked : new boolean[] {false, true}) {
                        for (boolean accumulate : new boolean[] {false, true}) {
                            InContext.run(threads, () -> {
                                int batch = 3;
                                Buf dz = Gaussian.buf(batch * g.outputSize(), 4);
                                Buf w = Gaussian.buf(g.weightSize(), 5);
                                Buf dx = Gaussian.buf(batch * g.inputSize(), 6);
                                float[] before = dx.toArray();
                                Buf scratch = inputScratch(g, threads, chunked, adjoint);
                                WinogradPlan plan = inputPlan(g, scratch, batch, adjoint);
                                assertWithPlan(g, !adjoint, plan, threads, chunked);
                                WinogradRows.run(plan, dz, w, null, dx, scratch, batch, Activation.IDENTITY, 0f,
                                        accumulate);
                                double[] expected = inputGradient(g, dz.toArray(), w.toArray(), batch);
                                float[] want = new float[expected.length];
                                for (int i = 0; i < want.length; i++) {
                                    want[i] = (float) (expected[i] + (accumulate ? before[i] : 0));
                                }
                                Close.check(g + (adjoint ? " adjoint" : " transposed") + " input gradient, threads "
                                        + threads + ", chunked " + chunked + ", accumulate " + accumulate,
                                        dx.toArray(), want, 5e-5, 5e-5 * scale(g));
                            });
                        }
                    }
                }
            }
        }
    }

    private static WinogradPlan inputPlan(ConvGeometry g, Buf scratch, int batch, boolean adjoint) {
        return adjoint ? WinogradPlan.adjointInputGradient(g, scratch, batch, true)
                : WinogradPlan.transposedInputGradient(g, scratch, batch, true);
    }

    /** As {@link #scratch} for one way of computing the input gradient. */
    private static Buf inputScratch(ConvGeometry g, int threads, boolean chunked, boolean adjoint) {
        WinogradPlan p = inputPlan(g, Buf.allocate(1 << 22), 1, adjoint);
        assertThat(p).isNotNull();
        int rows = chunked ? chunkRows(outRows(g, !adjoint), p) : p.rowsPerChunk();
        return Buf.allocate(p.kernelFloats() + threads * rows * p.rowFloats());
    }

    @Test
    void weightGradientMatchesTheDefinition() {
        for (ConvGeometry g : SHAPES) {
            for (int threads : new int[] {1, 2}) {
                for (boolean chunked : new boolean[] {false, true}) {
                    for (boolean accumulate : new boolean[] {false, true}) {
                        InContext.run(threads, () -> {
                            int batch = 3;
                            Buf dz = Gaussian.buf(batch * g.outputSize(), 11);
                            Buf x = Gaussian.buf(batch * g.inputSize(), 12);
                            Buf dw = Gaussian.buf(g.weightSize(), 13);
                            float[] before = dw.toArray();
                            Buf scratch = weightScratch(g, threads, chunked);
                            WinogradPlan plan = WinogradPlan.weightGradient(g, scratch, batch, true);
                            assertWithPlan(g, false, plan, threads, chunked);
                            WinogradRows.runWeights(plan, dz, x, dw, scratch, batch, accumulate);
                            double[] expected = weightGradient(g, dz.toArray(), x.toArray(), batch);
                            float[] want = new float[expected.length];
                            for (int i = 0; i < want.length; i++) {
                                want[i] = (float) (expected[i] + (accumulate ? before[i] : 0));
                            }
                            // Each entry sums batch * oh * ow products: the scale is its square root.
                            double scale = Math.sqrt(batch * g.outHeight() * g.outWidth());
                            Close.check(g + " weight gradient, threads " + threads + ", chunked " + chunked
                                    + ", accumulate " + accumulate, dw.toArray(), want, 5e-5, 5e-5 * scale);
                        });
                    }
                }
            }
        }
    }

    @Test
    void conv2dRunsConvolutionsThroughItWhereItPays() {
        // On two threads in Conv2d's own scratch, plans fit whole examples, and Conv2d's results
        // are this class's, bit for bit: the forward pass of the Fashion-MNIST CNN's second
        // convolution, and the input gradient of a 3x3 convolution over 28x28.
        InContext.run(2, () -> {
            int batch = 4;
            ConvGeometry g = SHAPES[0];
            Buf scratch = Buf.allocate(Conv2d.scratchFloats(g, 2));
            WinogradPlan forward = WinogradPlan.forward(g, scratch, batch);
            assertThat(forward.threads()).isEqualTo(2);
            assertThat(forward.rowsPerChunk()).isEqualTo(g.outHeight());
            Buf x = Gaussian.buf(batch * g.inputSize(), 7);
            Buf w = Gaussian.buf(g.weightSize(), 8);
            Buf viaConv = Buf.allocate(batch * g.outputSize());
            Buf direct = Buf.allocate(batch * g.outputSize());
            Conv2d.forward(g, x, w, null, viaConv, scratch, batch, Activation.IDENTITY, 0f);
            WinogradRows.run(forward, x, w, null, direct, scratch, batch, Activation.IDENTITY, 0f, false);
            assertThat(viaConv.toArray()).isEqualTo(direct.toArray());

            ConvGeometry h = ConvGeometry.same(16, 28, 28, 16, 3, 3, 1, 1);
            Buf hScratch = Buf.allocate(Conv2d.scratchFloats(h, 2));
            WinogradPlan input = WinogradPlan.inputGradient(h, hScratch, batch);
            assertThat(input.threads()).isEqualTo(2);
            Buf dz = Gaussian.buf(batch * h.outputSize(), 9);
            Buf hw = Gaussian.buf(h.weightSize(), 10);
            Buf dxConv = Buf.allocate(batch * h.inputSize());
            Buf dxDirect = Buf.allocate(batch * h.inputSize());
            Conv2d.backwardInput(h, dz, hw, dxConv, hScratch, batch, false);
            WinogradRows.run(input, dz, hw, null, dxDirect, hScratch, batch, Activation.IDENTITY, 0f, false);
            assertThat(dxConv.toArray()).isEqualTo(dxDirect.toArray());
        });
    }

    @Test
    void leavesOtherConvolutionsToIm2col() {
        Buf big = Buf.allocate(1 << 20);
        // Not applicable: stride 2, a 7-wide kernel, too shallow a sum (C*kh = 5), too narrow an output.
        assertThat(WinogradPlan.forward(ConvGeometry.same(16, 14, 14, 32, 5, 5, 2, 2), big, 4, true)).isNull();
        assertThat(WinogradPlan.forward(ConvGeometry.same(16, 14, 14, 32, 7, 7, 1, 1), big, 4, true)).isNull();
        assertThat(WinogradPlan.forward(ConvGeometry.same(1, 28, 28, 16, 5, 5, 1, 1), big, 4, true)).isNull();
        assertThat(WinogradPlan.forward(ConvGeometry.symmetric(16, 14, 3, 32, 3, 1, 1), big, 4, true)).isNull();
        // Padding as wide as the kernel has no transposed convolution with padding >= 0.
        assertThat(WinogradPlan.transposedInputGradient(new ConvGeometry(16, 14, 14, 8, 3, 3, 1, 1, 3, 1, 1, 1), big, 4,
                true)).isNull();
        // Scratch for less than one output row.
        ConvGeometry g = SHAPES[0];
        assertThat(WinogradPlan.forward(g, Buf.allocate(30_000), 4, true)).isNull();
        // The CNN's second input gradient (32 filters) goes the adjoint way; a 16-filter one over
        // 28x28 through the transposed convolution.
        assertThat(WinogradPlan.inputGradient(g, big, 4).adjoint()).isTrue();
        assertThat(WinogradPlan.inputGradient(ConvGeometry.same(16, 28, 28, 16, 3, 3, 1, 1), big, 4).adjoint())
                .isFalse();
        // Applicable but slower: a 3x3 convolution over 14x14 (56 tiles), but for its forward pass
        // (depth 96) and its input gradient as the transposed convolution, which computes 32 channels
        // from 32 filters; not for a shallower one, nor for a widening layer's input gradient.
        ConvGeometry small = ConvGeometry.same(32, 14, 14, 32, 3, 3, 1, 1);
        assertThat(WinogradPlan.forward(small, big, 4, true)).isNotNull();
        assertThat(WinogradPlan.inputGradient(small, big, 4, true)).isNotNull();
        assertThat(WinogradPlan.weightGradient(small, big, 4, true)).isNotNull();
        assertThat(WinogradPlan.adjointInputGradient(small, big, 4, false)).isNull();
        assertThat(WinogradPlan.inputGradient(small, big, 4).adjoint()).isFalse();
        assertThat(WinogradPlan.inputGradient(ConvGeometry.same(16, 14, 14, 32, 3, 3, 1, 1), big, 4)).isNull();
        assertThat(WinogradPlan.weightGradient(small, big, 4)).isNull();
        assertThat(WinogradPlan.forward(small, big, 4)).isNotNull();
        assertThat(WinogradPlan.forward(ConvGeometry.same(16, 14, 14, 32, 3, 3, 1, 1), big, 4)).isNull();
        assertThat(WinogradPlan.inputGradient(ConvGeometry.same(32, 7, 7, 64, 3, 3, 1, 1), big, 4)).isNull();
    }

    /** Room for the kernel and whole examples, or (chunked) about a third of an example's rows, per thread. */
    private static Buf scratch(ConvGeometry g, int threads, boolean chunked) {
        WinogradPlan p = WinogradPlan.forward(g, Buf.allocate(1 << 22), 1, true);
        assertThat(p).isNotNull();
        int rows = chunked ? chunkRows(g.outHeight(), p) : p.rowsPerChunk();
        return Buf.allocate(p.kernelFloats() + threads * rows * p.rowFloats());
    }

    /** As {@link #scratch} for the weight gradient, whose threads each keep their own sums. */
    private static Buf weightScratch(ConvGeometry g, int threads, boolean chunked) {
        WinogradPlan p = WinogradPlan.weightGradient(g, Buf.allocate(1 << 22), 1, true);
        assertThat(p).isNotNull();
        int rows = chunked ? chunkRows(g.outHeight(), p) : p.rowsPerChunk();
        return Buf.allocate(threads * (p.kernelFloats() + rows * p.rowFloats()));
    }

    /** A third of the output rows, but at least as many as the plan accepts per chunk. */
    private static int chunkRows(int outRows, WinogradPlan p) {
        int fewest = (WinogradPlan.MIN_TILES + p.tilesX() - 1) / p.tilesX();
        return Math.max(fewest, (outRows + 2) / 3);
    }

    /** The rows of what the plan computes: the output, or for the input gradient the input. */
    private static int outRows(ConvGeometry g, boolean transposed) {
        return transposed ? g.height() : g.outHeight();
    }

    private static void assertWithPlan(ConvGeometry g, boolean transposed, WinogradPlan p, int threads,
            boolean chunked) {
        assertThat(p).isNotNull();
        assertThat(p.threads()).isEqualTo(threads);
        int all = outRows(g, transposed);
        int rows = Math.min(all, chunked ? chunkRows(all, p) : all);
        // The rows that fit, evened out over the chunks an example then needs.
        int chunks = (all + rows - 1) / rows;
        assertThat(p.rowsPerChunk()).isEqualTo((all + chunks - 1) / chunks);
    }

    /** The typical size of an output: the square root of the number of products summed. */
    private static double scale(ConvGeometry g) {
        return Math.sqrt(g.patchSize());
    }

    /** One product of the definition: output {@code y}, input {@code x} and kernel {@code w} flat indices. */
    private interface Product {
        void add(int y, int x, int w);
    }

    /** Every product {@code w[o, c, i, j] * x[n, c, oy + i - padTop, ox + j - padLeft]} inside the image. */
    private static void forEachProduct(ConvGeometry g, int batch, Product p) {
        int oh = g.outHeight();
        int ow = g.outWidth();
        for (int n = 0; n < batch; n++) {
            for (int o = 0; o < g.filters(); o++) {
                for (int oy = 0; oy < oh; oy++) {
                    for (int ox = 0; ox < ow; ox++) {
                        for (int c = 0; c < g.channels(); c++) {
                            for (int i = 0; i < g.kernelH(); i++) {
                                for (int j = 0; j < g.kernelW(); j++) {
                                    int iy = oy + i - g.padTop();
                                    int ix = ox + j - g.padLeft();
                                    if (iy >= 0 && iy < g.height() && ix >= 0 && ix < g.width()) {
                                        p.add(((n * g.filters() + o) * oh + oy) * ow + ox,
                                                ((n * g.channels() + c) * g.height() + iy) * g.width() + ix,
                                                ((o * g.channels() + c) * g.kernelH() + i) * g.kernelW() + j);
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    private static double[] forward(ConvGeometry g, float[] x, float[] w, float[] b, int batch) {
        double[] y = new double[batch * g.outputSize()];
        int plane = g.outHeight() * g.outWidth();
        for (int i = 0; i < y.length; i++) {
            y[i] = b[i / plane % g.filters()];
        }
        forEachProduct(g, batch, (yi, xi, wi) -> y[yi] += (double) w[wi] * x[xi]);
        return y;
    }

    private static double[] inputGradient(ConvGeometry g, float[] dz, float[] w, int batch) {
        double[] dx = new double[batch * g.inputSize()];
        forEachProduct(g, batch, (yi, xi, wi) -> dx[xi] += (double) dz[yi] * w[wi]);
        return dx;
    }

    private static double[] weightGradient(ConvGeometry g, float[] dz, float[] x, int batch) {
        double[] dw = new double[g.weightSize()];
        forEachProduct(g, batch, (yi, xi, wi) -> dw[wi] += (double) dz[yi] * x[xi]);
        return dw;
    }

    private static float[] relu(double[] y) {
        float[] out = new float[y.length];
        for (int i = 0; i < y.length; i++) {
            out[i] = (float) Math.max(y[i], 0);
        }
        return out;
    }
}
