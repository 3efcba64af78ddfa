package org.dnnc.runtime.cpu;

import static com.google.common.truth.Truth.assertThat;

import org.junit.jupiter.api.Test;

/**
 * Every {@link ConvAlgorithm} against the naive convolution in double, forward (with bias and
 * ReLU), input gradient and kernel gradient (overwriting and accumulating), on the layer shapes of
 * the benchmark networks ({@code bench/networks/Vgg.dnn} and {@code Strided.dnn}) and odd ones, at
 * batch 1 and at batches that leave a short last group, on one thread and two. Where the scratch
 * is too small for a forced algorithm (batched on a large map) the call runs im2col, checked too.
 */
class ConvAlgorithmTest {

    private final Rng rng = new Rng(31);

    /**
     * Vgg's layers (28, 14 and 7 pixel maps), Strided's (stride-2 3x3, 1x1 on 14, 7 and 4 pixel maps),
     * a 5x5 kernel as the CNN example's, odd ones.
     */
    static final ConvGeometry[] SHAPES = {
        ConvGeometry.same(1, 28, 28, 16, 3, 3, 1, 1),
        ConvGeometry.same(16, 28, 28, 16, 3, 3, 1, 1),
        ConvGeometry.same(16, 14, 14, 32, 3, 3, 1, 1),
        ConvGeometry.same(32, 14, 14, 32, 3, 3, 1, 1),
        ConvGeometry.same(32, 7, 7, 64, 3, 3, 1, 1),
        ConvGeometry.symmetric(1, 28, 28, 32, 3, 2, 1),
        ConvGeometry.symmetric(32, 14, 14, 64, 1, 1, 0),
        ConvGeometry.symmetric(64, 14, 14, 64, 3, 2, 1),
        ConvGeometry.symmetric(128, 4, 4, 256, 1, 1, 0),
        ConvGeometry.same(3, 9, 11, 5, 3, 3, 1, 1),
        ConvGeometry.same(3, 9, 11, 5, 5, 5, 1, 1),
        ConvGeometry.symmetric(128, 7, 7, 128, 3, 2, 1),
        ConvGeometry.symmetric(16, 7, 7, 24, 3, 2, 1),
        ConvGeometry.same(3, 5, 5, 4, 3, 3, 1, 1),
        ConvGeometry.symmetric(5, 9, 7, 6, 1, 2, 0),
        new ConvGeometry(2, 11, 12, 3, 3, 2, 3, 2, 2, 0, 1, 3),
    };

    @Test
    void everyAlgorithmMatchesTheNaiveConvolution() {
        for (ConvGeometry g : SHAPES) {
            for (ConvAlgorithm algorithm : ConvAlgorithm.values()) {
                // 37 examples fill more than one group of IM2COL_BATCHED on the smallest maps.
                for (int batch : g.inputSize() * g.filters() < 20_000 ? new int[] {1, 5, 37} : new int[] {1, 5}) {
                    for (int threads : new int[] {1, 2}) {
                        check(g, algorithm, batch, threads);
                    }
                }
            }
        }
    }

    @Test
    void theRulesPickWhatTheyPromiseForTheBenchmarkShapes() {
        assertThat(ConvAlgorithm.forward(ConvGeometry.same(16, 28, 28, 16, 3, 3, 1, 1)))
                .isEqualTo(ConvAlgorithm.WINOGRAD);
        assertThat(ConvAlgorithm.forward(ConvGeometry.same(1, 28, 28, 16, 3, 3, 1, 1))).isEqualTo(ConvAlgorithm.IM2COL);
        // Deep enough on 56 tiles for the forward pass, but not for the kernel gradient.
        assertThat(ConvAlgorithm.forward(ConvGeometry.same(32, 14, 14, 32, 3, 3, 1, 1)))
                .isEqualTo(ConvAlgorithm.WINOGRAD);
        assertThat(ConvAlgorithm.weightGradient(ConvGeometry.same(32, 14, 14, 32, 3, 3, 1, 1)))
                .isEqualTo(ConvAlgorithm.IM2COL);
        assertThat(ConvAlgorithm.forward(ConvGeometry.same(16, 14, 14, 32, 3, 3, 1, 1)))
                .isEqualTo(ConvAlgorithm.IM2COL);
        // A layer that widens on a small map: col2im beats the transposed rows.
        assertThat(ConvAlgorithm.inputGradient(ConvGeometry.same(32, 7, 7, 64, 3, 3, 1, 1)))
                .isEqualTo(ConvAlgorithm.IM2COL);
        // Transposed Winograd pays on 64 channels of 7x7; the scratch grows to its transformed kernel.
        assertThat(ConvAlgorithm.inputGradient(ConvGeometry.same(64, 7, 7, 64, 3, 3, 1, 1)))
                .isEqualTo(ConvAlgorithm.WINOGRAD_TRANSPOSED);
        assertThat(ConvAlgorithm.inputGradient(ConvGeometry.same(32, 14, 14, 32, 3, 3, 1, 1)))
                .isEqualTo(ConvAlgorithm.WINOGRAD_TRANSPOSED);
        assertThat(ConvAlgorithm.forward(ConvGeometry.symmetric(128, 7, 7, 128, 3, 2, 1)))
                .isEqualTo(ConvAlgorithm.IM2COL_BATCHED);
        assertThat(ConvAlgorithm.forward(ConvGeometry.symmetric(128, 4, 4, 256, 1, 1, 0)))
                .isEqualTo(ConvAlgorithm.POINTWISE);
        assertThat(ConvAlgorithm.forward(ConvGeometry.symmetric(32, 28, 28, 64, 1, 1, 0)))
                .isEqualTo(ConvAlgorithm.POINTWISE);
        assertThat(ConvAlgorithm.examplesPerGemm(ConvGeometry.symmetric(128, 7, 7, 128, 3, 2, 1))).isEqualTo(32);
    }

    /**
     * The shapes on which Winograd rows pay but need more than im2col's two column matrices (VGG's
     * 7x7 stage, a 5x5 layer of 32 filters on 7x7): in each pass's planned scratch for two threads
     * they run on two threads with an example's rows in one chunk, and match the definition; in
     * the two column matrices planned before, {@code fit} runs them on one thread or leaves them to
     * im2col, matching it too.
     */
    @Test
    void winogradRunsOnSmallMapsInThePlannedScratch() {
        ConvGeometry[] shapes = {
            ConvGeometry.same(64, 7, 7, 64, 3, 3, 1, 1),
            ConvGeometry.same(16, 7, 7, 32, 5, 5, 1, 1),
        };
        int batch = 5;
        for (ConvGeometry g : shapes) {
            ConvAlgorithm input = ConvAlgorithm.inputGradient(g);
            assertThat(input).isAnyOf(ConvAlgorithm.WINOGRAD, ConvAlgorithm.WINOGRAD_TRANSPOSED);
            Buf planned = Buf.allocate(Conv2d.inputGradientScratchFloats(g, 2));
            InContext.run(2, () -> {
                WinogradPlan p = WinogradPlan.inputGradient(g, planned, batch);
                assertThat(p).isNotNull();
                assertThat(p.threads()).isEqualTo(2);
                assertThat(p.rowsPerChunk()).isEqualTo(p.outHeight);
                // Where two column matrices do not hold it on two threads, fit runs it on one or not at all.
                Buf columnsOnly = Buf.allocate(2 * g.patchSize() * g.outHeight() * g.outWidth());
                WinogradPlan less = WinogradPlan.inputGradient(g, columnsOnly, batch);
                assertThat(less == null || less.threads() == 1).isTrue();
            });
            checkInputGradient(g, input, batch, planned);
            checkInputGradient(g, input, batch, Buf.allocate(2 * g.patchSize() * g.outHeight() * g.outWidth()));
            if (ConvAlgorithm.forward(g) == ConvAlgorithm.WINOGRAD) {
                Buf forward = Buf.allocate(Conv2d.forwardScratchFloats(g, 2));
                Buf weights = Buf.allocate(Conv2d.weightGradientScratchFloats(g, 2));
                InContext.run(2, () -> {
                    assertThat(WinogradPlan.forward(g, forward, batch).rowsPerChunk()).isEqualTo(g.outHeight());
                    assertThat(WinogradPlan.weightGradient(g, weights, batch).threads()).isEqualTo(2);
                });
                check(g, ConvAlgorithm.WINOGRAD, batch, 2);
            }
        }
    }

    /**
     * The forward epilogue, {@code act(conv + bias)}, for every activation with and without a bias, on
     * maps whose epilogue runs by groups of channels (7x7, 4x4) and channel by channel (14x14).
     */
    @Test
    void theEpilogueAppliesEveryActivationWithAndWithoutBias() {
        ConvGeometry[] shapes = {
            ConvGeometry.symmetric(8, 7, 7, 24, 1, 1, 0),
            ConvGeometry.symmetric(8, 4, 4, 300, 1, 1, 0),
            ConvGeometry.same(4, 9, 7, 6, 3, 3, 1, 1),
            ConvGeometry.symmetric(8, 14, 14, 12, 1, 1, 0),
        };
        int batch = 3;
        for (ConvGeometry g : shapes) {
            for (Activation act : Activation.values()) {
                float param = act == Activation.LEAKY_RELU ? 0.1f : act == Activation.ELU ? 1f : 0f;
                for (boolean withBias : new boolean[] {false, true}) {
                    Buf x = random(batch * g.inputSize());
                    Buf w = random(g.weightSize());
                    Buf b = withBias ? random(g.filters()) : null;
                    Buf y = Buf.allocate(batch * g.outputSize());
                    Buf scratch = Buf.allocate(Conv2d.scratchFloats(g, 2));
                    ConvAlgorithm algorithm = ConvAlgorithm.forward(g);
                    InContext.run(2, () -> Conv2d.forward(algorithm, g, x, w, b, y, scratch, batch, act, param));
                    float[] zero = new float[g.filters()];
                    float[] expected = DirectConv.forward(g, x.toArray(), w.toArray(), withBias ? b.toArray() : zero,
                            batch);
                    for (int i = 0; i < expected.length; i++) {
                        expected[i] = Activations.apply(act, param, expected[i]);
                    }
                    Close.check(g + " " + algorithm + " " + act + (withBias ? " with bias" : ""), y.toArray(),
                            expected, 1e-4, 1e-4);
                }
            }
        }
    }

    /** {@code algorithm}'s input gradient of {@code g} in {@code scratch} on two threads against the definition. */
    private void checkInputGradient(ConvGeometry g, ConvAlgorithm algorithm, int batch, Buf scratch) {
        Buf x = random(batch * g.inputSize());
        Buf w = random(g.weightSize());
        Buf dy = random(batch * g.outputSize());
        Buf dx = random(batch * g.inputSize());
        InContext.run(2, () -> Conv2d.backwardInput(algorithm, g, dy, w, dx, scratch, batch, false));
        double[][] grads = DirectConv.backward(g, x.toArray(), w.toArray(), dy.toArray(), batch);
        // Winograd's transforms round more than a plain sum: WinogradRowsTest's 5e-5 of the typical
        // output, sqrt(C*kh*kw) (24 for 64 channels), absolute.
        Close.check(g + " " + algorithm + " dx in " + scratch.size + " floats", dx.toArray(),
                DirectConv.toFloats(grads[0]), 1e-3, 5e-5 * Math.sqrt(g.patchSize()));
    }

    private void check(ConvGeometry g, ConvAlgorithm algorithm, int batch, int threads) {
        String what = g + " " + algorithm + " batch " + batch + " threads " + threads;
        Buf x = random(batch * g.inputSize());
        Buf w = random(g.weightSize());
        Buf b = random(g.filters());
        Buf dy = random(batch * g.outputSize());
        Buf scratch = Buf.allocate(Conv2d.scratchFloats(g, 2));
        Buf y = Buf.allocate(batch * g.outputSize());
        Buf dx = random(batch * g.inputSize());
        Buf dw = random(g.weightSize());
        float[] dxBefore = dx.toArray();
        float[] dwBefore = dw.toArray();
        InContext.run(threads, () -> {
            Conv2d.forward(algorithm, g, x, w, b, y, scratch, batch, Activation.RELU, 0f);
            Conv2d.backwardInput(algorithm, g, dy, w, dx, scratch, batch, true);
            Conv2d.backwardWeights(algorithm, g, dy, x, dw, scratch, batch, true);
        });
        float[] expected = DirectConv.forward(g, x.toArray(), w.toArray(), b.toArray(), batch);
        for (int i = 0; i < expected.length; i++) {
            expected[i] = Math.max(expected[i], 0f);
        }
        Close.check(what + " forward", y.toArray(), expected, 1e-4, 1e-4);
        double[][] grads = DirectConv.backward(g, x.toArray(), w.toArray(), dy.toArray(), batch);
        for (int i = 0; i < dxBefore.length; i++) {
            grads[0][i] += dxBefore[i];
        }
        for (int i = 0; i < dwBefore.length; i++) {
            grads[1][i] += dwBefore[i];
        }
        Close.check(what + " dx", dx.toArray(), DirectConv.toFloats(grads[0]), 1e-3, 1e-4);
        Close.check(what + " dW", dw.toArray(), DirectConv.toFloats(grads[1]), 1e-3, 1e-4);

        // Overwriting as well: the first group must not add to what the gradients held.
        Buf dx2 = random(batch * g.inputSize());
        Buf dw2 = random(g.weightSize());
        InContext.run(threads, () -> {
            Conv2d.backwardInput(algorithm, g, dy, w, dx2, scratch, batch, false);
            Conv2d.backwardWeights(algorithm, g, dy, x, dw2, scratch, batch, false);
        });
        double[][] fresh = DirectConv.backward(g, x.toArray(), w.toArray(), dy.toArray(), batch);
        Close.check(what + " dx overwritten", dx2.toArray(), DirectConv.toFloats(fresh[0]), 1e-3, 1e-4);
        Close.check(what + " dW overwritten", dw2.toArray(), DirectConv.toFloats(fresh[1]), 1e-3, 1e-4);
    }

    private Buf random(int n) {
        Buf b = Buf.allocate(n);
        for (int i = 0; i < n; i++) {
            b.set(i, (float) rng.nextGaussian());
        }
        return b;
    }
}
