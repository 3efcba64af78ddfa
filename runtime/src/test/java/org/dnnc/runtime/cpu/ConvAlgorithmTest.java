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

    /** Vgg's layers (28, 14 and 7 pixel maps), Strided's (stride-2 3x3, 1x1 on 14, 7 and 4 pixel maps), odd ones. */
    private static final ConvGeometry[] SHAPES = {
        ConvGeometry.same(1, 28, 28, 16, 3, 3, 1, 1),
        ConvGeometry.same(16, 28, 28, 16, 3, 3, 1, 1),
        ConvGeometry.same(16, 14, 14, 32, 3, 3, 1, 1),
        ConvGeometry.same(32, 7, 7, 64, 3, 3, 1, 1),
        ConvGeometry.symmetric(1, 28, 28, 32, 3, 2, 1),
        ConvGeometry.symmetric(32, 14, 14, 64, 1, 1, 0),
        ConvGeometry.symmetric(64, 14, 14, 64, 3, 2, 1),
        ConvGeometry.symmetric(128, 4, 4, 256, 1, 1, 0),
        ConvGeometry.same(3, 9, 11, 5, 3, 3, 1, 1),
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
        assertThat(ConvAlgorithm.forward(ConvGeometry.same(32, 14, 14, 32, 3, 3, 1, 1)))
                .isEqualTo(ConvAlgorithm.IM2COL);
        // Transposed Winograd would pay on 64 channels of 7x7, but its transformed kernel does not fit
        // the scratch planned for two column matrices: the rules name what the call runs.
        assertThat(ConvAlgorithm.inputGradient(ConvGeometry.same(64, 7, 7, 64, 3, 3, 1, 1)))
                .isEqualTo(ConvAlgorithm.IM2COL);
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
