package org.dnnc.runtime.cpu;

import static com.google.common.truth.Truth.assertThat;
import static com.google.common.truth.Truth.assertWithMessage;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.sun.management.ThreadMXBean;
import java.lang.management.ManagementFactory;
import org.junit.jupiter.api.Test;

/**
 * What the golden cases are too small to reach for the image kernels: realistic sizes against a
 * direct double-precision convolution, {@code same} padding with the odd pixel at the bottom and
 * right, accumulate flags, fused BN + ReLU against its unfused form, max pooling's ties and NaNs,
 * argument checks, and the promise that a CNN training step allocates nothing.
 */
class ConvKernelEdgeCaseTest {

    private final Rng rng = new Rng(23);

    @Test
    void samePaddingPutsTheOddPixelBottomRight() {
        ConvGeometry k5 = ConvGeometry.same(1, 28, 28, 8, 5, 5, 1, 1);
        assertThat(new int[] {k5.padTop(), k5.padLeft(), k5.padBottom(), k5.padRight()}).isEqualTo(new int[] {2, 2, 2, 2});
        ConvGeometry k4 = ConvGeometry.same(1, 10, 9, 8, 4, 2, 1, 1);
        assertThat(new int[] {k4.padTop(), k4.padLeft(), k4.padBottom(), k4.padRight()}).isEqualTo(new int[] {1, 0, 2, 1});
        ConvGeometry s2 = ConvGeometry.same(1, 8, 7, 8, 3, 3, 2, 2);
        assertThat(new int[] {s2.padTop(), s2.padLeft(), s2.padBottom(), s2.padRight()}).isEqualTo(new int[] {0, 1, 1, 1});
        assertThat(new int[] {s2.outHeight(), s2.outWidth()}).isEqualTo(new int[] {4, 4});
        assertThat(k4.outHeight()).isEqualTo(10);
        assertThat(k4.outWidth()).isEqualTo(9);
    }

    @Test
    void largerShapesMatchADirectConvolution() {
        ConvGeometry[] shapes = {
            ConvGeometry.same(3, 28, 28, 5, 5, 5, 1, 1),
            ConvGeometry.same(4, 15, 13, 6, 4, 4, 1, 1),
            ConvGeometry.same(4, 15, 13, 6, 3, 3, 2, 2),
            new ConvGeometry(2, 11, 12, 3, 3, 2, 3, 2, 2, 0, 1, 3),
            ConvGeometry.symmetric(16, 7, 7, 8, 1, 1, 0),
        };
        for (ConvGeometry geo : shapes) {
            int batch = 3;
            Buf x = random(batch * geo.inputSize());
            Buf w = random(geo.weightSize());
            Buf b = random(geo.filters());
            Buf scratch = Buf.allocate(Conv2d.scratchFloats(geo));
            Buf y = Buf.allocate(batch * geo.outputSize());
            Conv2d.forward(geo, x, w, b, y, scratch, batch, Activation.RELU, 0f);
            float[] expected = DirectConv.forward(geo, x.toArray(), w.toArray(), b.toArray(), batch);
            for (int i = 0; i < expected.length; i++) {
                expected[i] = Math.max(expected[i], 0f);
            }
            Close.check(geo + " forward", y.toArray(), expected, 1e-5, 1e-5);

            // Backward against the adjoint identities of the direct convolution, in double:
            // <dy, conv(e_i)> for the input and kernel gradients.
            Buf dy = random(batch * geo.outputSize());
            Buf dx = Buf.allocate(batch * geo.inputSize());
            Buf dw = Buf.allocate(geo.weightSize());
            Conv2d.backwardInput(geo, dy, w, dx, scratch, batch, false);
            Conv2d.backwardWeights(geo, dy, x, dw, scratch, batch, false);
            double[][] expectedGrads = DirectConv.backward(geo, x.toArray(), w.toArray(), dy.toArray(), batch);
            Close.check(geo + " dx", dx.toArray(), DirectConv.toFloats(expectedGrads[0]), 1e-4, 1e-4);
            Close.check(geo + " dW", dw.toArray(), DirectConv.toFloats(expectedGrads[1]), 1e-4, 1e-4);
        }
    }

    @Test
    void poolingOnTwoThreadsIsBitIdenticalToOne() {
        PoolGeometry[] shapes = {PoolGeometry.of(3, 8, 6, 2, 2), new PoolGeometry(2, 7, 7, 3, 3, 2, 2, 1, 1)};
        for (PoolGeometry geo : shapes) {
            int batch = 5; // odd: halves of 2 and 3 examples
            Buf x = random(batch * geo.inputSize());
            Buf dy = random(batch * geo.outputSize());
            Buf old = random(batch * geo.inputSize());
            float[][] results = new float[2][];
            for (int threads : new int[] {1, 2}) {
                results[threads - 1] = InContext.call(threads, () -> {
                    Buf maxY = Buf.allocate(batch * geo.outputSize());
                    Buf avgY = Buf.allocate(batch * geo.outputSize());
                    Buf maxDx = Buf.of(old.toArray());
                    Buf avgDx = Buf.allocate(batch * geo.inputSize());
                    Pool2d.maxForward(geo, x, maxY, batch);
                    Pool2d.avgForward(geo, x, avgY, batch, false);
                    Pool2d.maxBackward(geo, x, dy, maxDx, batch, true);
                    Pool2d.avgBackward(geo, dy, avgDx, batch, true, false);
                    float[] all = new float[2 * maxY.size() + 2 * maxDx.size()];
                    System.arraycopy(maxY.toArray(), 0, all, 0, maxY.size());
                    System.arraycopy(avgY.toArray(), 0, all, maxY.size(), maxY.size());
                    System.arraycopy(maxDx.toArray(), 0, all, 2 * maxY.size(), maxDx.size());
                    System.arraycopy(avgDx.toArray(), 0, all, 2 * maxY.size() + maxDx.size(), maxDx.size());
                    return all;
                });
            }
            assertThat(results[1]).isEqualTo(results[0]);
        }
    }

    @Test
    void twoThreadsGiveTheResultsOfOne() {
        ConvGeometry[] shapes = {ConvGeometry.same(3, 9, 8, 4, 3, 3, 1, 1), ConvGeometry.symmetric(5, 4, 4, 3, 1, 1, 0)};
        for (ConvGeometry geo : shapes) {
            int batch = 5; // odd: halves of 2 and 3
            Buf x = random(batch * geo.inputSize());
            Buf w = random(geo.weightSize());
            Buf b = random(geo.filters());
            Buf dy = random(batch * geo.outputSize());
            float[][] results = new float[2][];
            for (int threads : new int[] {1, 2}) {
                results[threads - 1] = InContext.call(threads, () -> {
                    Buf scratch = Buf.allocate(Conv2d.scratchFloats(geo, 2));
                    Buf y = Buf.allocate(batch * geo.outputSize());
                    Buf dx = Buf.of(random(batch * geo.inputSize()).toArray());
                    Buf dw = Buf.allocate(geo.weightSize());
                    Elementwise.fill(dw, geo.weightSize(), 0.5f);
                    Conv2d.forward(geo, x, w, b, y, scratch, batch, Activation.RELU, 0f);
                    Conv2d.backwardInput(geo, dy, w, dx, scratch, batch, false);
                    Conv2d.backwardWeights(geo, dy, x, dw, scratch, batch, true);
                    float[] all = new float[y.size() + dx.size() + dw.size()];
                    System.arraycopy(y.toArray(), 0, all, 0, y.size());
                    System.arraycopy(dx.toArray(), 0, all, y.size(), dx.size());
                    System.arraycopy(dw.toArray(), 0, all, y.size() + dx.size(), dw.size());
                    return all;
                });
            }
            // The weight gradient is summed in another order; everything else is bit-identical.
            Close.check(geo + " two threads", results[1], results[0], 1e-5, 1e-6);
        }
        // A scratch view for one thread keeps the call on one thread.
        ConvGeometry geo = shapes[0];
        Buf y = Buf.allocate(2 * geo.outputSize());
        InContext.run(2, () -> Conv2d.forward(geo, random(2 * geo.inputSize()), random(geo.weightSize()), null, y,
                Buf.allocate(Conv2d.scratchFloats(geo)), 2, Activation.IDENTITY, 0f));
    }

    @Test
    void accumulateFlagsAddToExistingGradients() {
        ConvGeometry conv = ConvGeometry.same(2, 6, 6, 3, 3, 3, 2, 2);
        PoolGeometry pool = new PoolGeometry(2, 6, 6, 3, 3, 2, 2, 1, 1);
        int batch = 2;
        Buf scratch = Buf.allocate(Conv2d.scratchFloats(conv));
        Buf x = random(batch * conv.inputSize());
        Buf w = random(conv.weightSize());
        Buf dz = random(batch * conv.outputSize());
        int spatial = conv.outHeight() * conv.outWidth();
        checkAccumulates(conv.inputSize() * batch, (out, acc) -> Conv2d.backwardInput(conv, dz, w, out, scratch, batch, acc));
        checkAccumulates(conv.weightSize(), (out, acc) -> Conv2d.backwardWeights(conv, dz, x, out, scratch, batch, acc));
        checkAccumulates(conv.filters(), (out, acc) -> Conv2d.backwardBias(dz, out, batch, conv.filters(), spatial, acc));
        ConvGeometry pointwise = ConvGeometry.symmetric(2, 6, 6, 3, 1, 1, 0);
        Buf dz1 = random(batch * pointwise.outputSize());
        checkAccumulates(batch * pointwise.inputSize(),
                (out, acc) -> Conv2d.backwardInput(pointwise, dz1, w, out, null, batch, acc));
        checkAccumulates(pointwise.weightSize(),
                (out, acc) -> Conv2d.backwardWeights(pointwise, dz1, x, out, null, batch, acc));

        Buf py = random(batch * pool.outputSize());
        checkAccumulates(batch * pool.inputSize(), (out, acc) -> Pool2d.maxBackward(pool, x, py, out, batch, acc));
        checkAccumulates(batch * pool.inputSize(), (out, acc) -> Pool2d.avgBackward(pool, py, out, batch, true, acc));
        Buf gy = random(batch * 2);
        checkAccumulates(batch * 2 * 36, (out, acc) -> GlobalAvgPool.backward(gy, out, batch, 2, 36, acc));

        Buf gamma = random(2);
        Buf dy = random(batch * 2 * 36);
        Buf saved = Buf.allocate(2 * 2);
        Buf y = Buf.allocate(batch * 2 * 36);
        BatchNorm.forwardTraining(x, gamma, random(2), null, null, y, saved, batch, 2, 36, 0.1f, 1e-5f, true);
        checkAccumulates(batch * 72, (out, acc) -> BatchNorm.backward(x, y, dy, gamma, saved, out, null, null,
                batch, 2, 36, 1e-5f, true, acc, false));
        // Without dx, gamma is not needed.
        checkAccumulates(2, (out, acc) -> BatchNorm.backward(x, y, dy, null, saved, null, out, null,
                batch, 2, 36, 1e-5f, true, false, acc));
        checkAccumulates(2, (out, acc) -> BatchNorm.backward(x, y, dy, gamma, saved, null, null, out,
                batch, 2, 36, 1e-5f, true, false, acc));
        Buf lnGamma = random(36);
        checkAccumulates(batch * 72, (out, acc) -> LayerNorm.backward(x, dy, lnGamma, null, null, out, null, null,
                batch * 2, 36, 1e-5f, acc, false));
        checkAccumulates(36, (out, acc) -> LayerNorm.backward(x, dy, null, null, null, null, out, null,
                batch * 2, 36, 1e-5f, false, acc));
    }

    @Test
    void fusedBatchnormReluMatchesBatchnormThenRelu() {
        int batch = 5;
        int channels = 3;
        int spatial = 10;
        int n = batch * channels * spatial;
        Buf x = random(n);
        Buf gamma = random(channels);
        Buf beta = random(channels);
        Buf dy = random(n);
        Buf rm = Buf.of(0.1f, 0.2f, 0.3f);
        Buf rv = Buf.of(1f, 2f, 0.5f);
        Buf rmFused = Buf.of(0.1f, 0.2f, 0.3f);
        Buf rvFused = Buf.of(1f, 2f, 0.5f);
        Buf saved = Buf.allocate(2 * channels);

        Buf bn = Buf.allocate(n);
        BatchNorm.forwardTraining(x, gamma, beta, rm, rv, bn, saved, batch, channels, spatial, 0.1f, 1e-5f, false);
        Buf relu = Buf.allocate(n);
        Activations.forward(Activation.RELU, 0f, bn, relu, n);
        Buf fused = Buf.allocate(n);
        BatchNorm.forwardTraining(x, gamma, beta, rmFused, rvFused, fused, saved, batch, channels, spatial, 0.1f,
                1e-5f, true);
        assertThat(fused.toArray()).isEqualTo(relu.toArray());
        assertThat(rmFused.toArray()).isEqualTo(rm.toArray());
        assertThat(rvFused.toArray()).isEqualTo(rv.toArray());

        Buf masked = Buf.allocate(n);
        Activations.backward(Activation.RELU, 0f, relu, dy, masked, n);
        Buf dx = Buf.allocate(n);
        Buf dgamma = Buf.allocate(channels);
        Buf dbeta = Buf.allocate(channels);
        BatchNorm.backward(x, null, masked, gamma, saved, dx, dgamma, dbeta, batch, channels, spatial, 1e-5f, false,
                false, false);
        Buf dxFused = Buf.allocate(n);
        Buf dgammaFused = Buf.allocate(channels);
        Buf dbetaFused = Buf.allocate(channels);
        BatchNorm.backward(x, fused, dy, gamma, saved, dxFused, dgammaFused, dbetaFused, batch, channels, spatial,
                1e-5f, true, false, false);
        assertThat(dxFused.toArray()).isEqualTo(dx.toArray());
        assertThat(dgammaFused.toArray()).isEqualTo(dgamma.toArray());
        assertThat(dbetaFused.toArray()).isEqualTo(dbeta.toArray());

        // Inference, fused and not.
        BatchNorm.forwardInference(x, gamma, beta, rm, rv, bn, batch, channels, spatial, 1e-5f, false);
        Activations.forward(Activation.RELU, 0f, bn, relu, n);
        BatchNorm.forwardInference(x, gamma, beta, rm, rv, fused, batch, channels, spatial, 1e-5f, true);
        assertThat(fused.toArray()).isEqualTo(relu.toArray());
        Activations.backward(Activation.RELU, 0f, relu, dy, masked, n);
        BatchNorm.backwardInference(x, null, masked, gamma, rm, rv, dx, dgamma, dbeta, batch, channels, spatial, 1e-5f,
                false, false, false);
        BatchNorm.backwardInference(x, fused, dy, gamma, rm, rv, dxFused, dgammaFused, dbetaFused, batch, channels,
                spatial, 1e-5f, true, false, false);
        assertThat(dxFused.toArray()).isEqualTo(dx.toArray());
        assertThat(dgammaFused.toArray()).isEqualTo(dgamma.toArray());
        assertThat(dbetaFused.toArray()).isEqualTo(dbeta.toArray());
    }

    @Test
    void batchnormWithAResidualMatchesBatchnormThenAddThenRelu() {
        int batch = 5;
        int channels = 3;
        int spatial = 10;
        int n = batch * channels * spatial;
        Buf x = random(n);
        Buf residual = random(n);
        Buf gamma = random(channels);
        Buf beta = random(channels);
        for (int threads : new int[] {1, 2}) {
            for (boolean relu : new boolean[] {false, true}) {
                float[][] results = InContext.call(threads, () -> {
                    Buf rm = Buf.of(0.1f, 0.2f, 0.3f);
                    Buf rv = Buf.of(1f, 2f, 0.5f);
                    Buf bn = Buf.allocate(n);
                    BatchNorm.forwardTraining(x, gamma, beta, rm, rv, bn, null, null, batch, channels, spatial, 0.1f,
                            1e-5f, false);
                    Buf sum = Buf.allocate(n);
                    Elementwise.add(bn, residual, sum, n);
                    if (relu) {
                        Activations.forward(Activation.RELU, 0f, sum, sum, n);
                    }
                    Buf rmFused = Buf.of(0.1f, 0.2f, 0.3f);
                    Buf rvFused = Buf.of(1f, 2f, 0.5f);
                    Buf fused = Buf.allocate(n);
                    BatchNorm.forwardTraining(x, gamma, beta, rmFused, rvFused, fused, null, residual, batch,
                            channels, spatial, 0.1f, 1e-5f, relu);
                    assertThat(rmFused.toArray()).isEqualTo(rm.toArray());
                    assertThat(rvFused.toArray()).isEqualTo(rv.toArray());
                    return new float[][] {sum.toArray(), fused.toArray()};
                });
                // The fused pass adds the residual before rounding the normalized value: within an ulp or so.
                Close.check("residual relu=" + relu + " threads=" + threads, results[1], results[0], 1e-6, 1e-6);
            }
        }
    }

    @Test
    void batchnormStatisticsSurviveALargeMean() {
        // One-pass variance around a shift: 1000 + N(0, 0.01^2) keeps its spread in float.
        int batch = 64;
        int spatial = 49;
        int n = batch * spatial;
        float[] v = new float[n];
        double sum = 0;
        for (int i = 0; i < n; i++) {
            v[i] = 1000f + 0.01f * (float) rng.nextGaussian();
            sum += v[i];
        }
        double mean = sum / n;
        double sq = 0;
        for (float f : v) {
            sq += (f - mean) * (f - mean);
        }
        double var = sq / n;
        Buf saved = Buf.allocate(2);
        Buf rv = Buf.of(0f);
        BatchNorm.forwardTraining(Buf.of(v), Buf.of(1f), Buf.of(0f), null, rv, Buf.allocate(n), saved,
                batch, 1, spatial, 1f, 0f, false);
        assertThat((double) saved.get(0)).isWithin(1e-4).of(mean);
        assertThat((double) saved.get(1)).isWithin(1e-3 / Math.sqrt(var)).of(1 / Math.sqrt(var));
        assertThat((double) rv.get(0)).isWithin(1e-3 * var).of(sq / (n - 1));
    }

    @Test
    void maxpoolTiesGoToTheFirstAndNaNWins() {
        // maxpool(2) has its own branch-free loops: ties to the first pixel; a NaN window's gradient
        // goes to its last pixel.
        PoolGeometry g = PoolGeometry.of(1, 2, 4, 2, 2);
        Buf x = Buf.of(1f, 3f, Float.NaN, 0f,
                       3f, 3f, 5f, 9f);
        Buf y = Buf.allocate(2);
        Pool2d.maxForward(g, x, y, 1);
        assertThat(y.get(0)).isEqualTo(3f);
        assertThat(Float.isNaN(y.get(1))).isTrue();
        Buf dx = Buf.allocate(8);
        Pool2d.maxBackward(g, x, Buf.of(1f, 2f), dx, 1, false);
        assertThat(dx.toArray()).isEqualTo(new float[] {0f, 1f, 0f, 0f, 0f, 0f, 0f, 2f});

        // The general loops follow PyTorch exactly: ties to the first, and the NaN itself wins.
        PoolGeometry overlapping = new PoolGeometry(1, 2, 4, 2, 2, 1, 2, 0, 0);
        Pool2d.maxForward(overlapping, x, y, 1);
        assertThat(y.get(0)).isEqualTo(3f);
        assertThat(Float.isNaN(y.get(1))).isTrue();
        Pool2d.maxBackward(overlapping, x, Buf.of(1f, 2f), dx, 1, false);
        assertThat(dx.toArray()).isEqualTo(new float[] {0f, 1f, 2f, 0f, 0f, 0f, 0f, 0f});

        // Odd sizes: the last row and column are in no window and get no gradient.
        PoolGeometry odd = PoolGeometry.of(1, 3, 3, 2, 2);
        Buf dxOdd = Buf.of(7f, 7f, 7f, 7f, 7f, 7f, 7f, 7f, 7f);
        Pool2d.maxBackward(odd, Buf.of(1f, 2f, 9f, 4f, 3f, 9f, 9f, 9f, 9f), Buf.of(5f), dxOdd, 1, false);
        assertThat(dxOdd.toArray()).isEqualTo(new float[] {0f, 0f, 0f, 5f, 0f, 0f, 0f, 0f, 0f});
    }

    @Test
    void avgpoolPaddingCountsOnlyWhenAskedTo() {
        PoolGeometry g = new PoolGeometry(1, 2, 2, 3, 3, 1, 1, 1, 1);
        Buf x = Buf.of(1f, 2f, 3f, 4f);
        Buf y = Buf.allocate(4);
        Pool2d.avgForward(g, x, y, 1, true);
        assertThat(y.toArray()).isEqualTo(new float[] {10f / 9, 10f / 9, 10f / 9, 10f / 9});
        Pool2d.avgForward(g, x, y, 1, false);
        assertThat(y.toArray()).isEqualTo(new float[] {2.5f, 2.5f, 2.5f, 2.5f});
    }

    @Test
    void badArgumentsAreRejected() {
        assertThrows(IllegalArgumentException.class, () -> new ConvGeometry(1, 4, 4, 1, 5, 5, 1, 1, 0, 0, 0, 0));
        assertThrows(IllegalArgumentException.class, () -> new ConvGeometry(1, 4, 4, 1, 3, 3, 0, 1, 0, 0, 0, 0));
        assertThrows(IllegalArgumentException.class, () -> new ConvGeometry(1, 4, 4, 1, 3, 3, 1, 1, -1, 0, 0, 0));
        assertThrows(IllegalArgumentException.class, () -> new PoolGeometry(1, 4, 4, 2, 2, 2, 2, 2, 0));
        assertThrows(IllegalArgumentException.class, () -> PoolGeometry.of(1, 4, 4, 0, 2));

        ConvGeometry geo = ConvGeometry.same(2, 5, 5, 3, 3, 3, 1, 1);
        Buf x = Buf.allocate(geo.inputSize());
        Buf w = Buf.allocate(geo.weightSize());
        Buf y = Buf.allocate(geo.outputSize());
        IllegalArgumentException noScratch = assertThrows(IllegalArgumentException.class,
                () -> Conv2d.forward(geo, x, w, null, y, null, 1, Activation.IDENTITY, 0f));
        assertThat(noScratch).hasMessageThat().contains(Conv2d.scratchFloats(geo) + " floats of scratch");
        Buf small = Buf.allocate(Conv2d.scratchFloats(geo) - 1);
        assertThrows(IndexOutOfBoundsException.class,
                () -> Conv2d.forward(geo, x, w, null, y, small, 1, Activation.IDENTITY, 0f));
        assertThrows(IndexOutOfBoundsException.class,
                () -> Conv2d.forward(geo, x, w, null, y, Buf.allocate(Conv2d.scratchFloats(geo)), 2,
                        Activation.IDENTITY, 0f));
        IllegalArgumentException one = assertThrows(IllegalArgumentException.class,
                () -> BatchNorm.forwardTraining(Buf.of(1f, 2f), Buf.of(1f, 1f), Buf.of(0f, 0f), null, null,
                        Buf.allocate(2), null, null, 1, 2, 1, 0.1f, 1e-5f, false));
        assertThat(one).hasMessageThat().contains("more than one value per channel");
    }

    @Test
    void globalAveragePoolingOverMoreThanOneStagedBlockMatchesItsDefinition() {
        // 1,500 planes of 3 values: past the 4,096 floats the kernel moves at once, odd planes.
        int batch = 3;
        int channels = 500;
        int spatial = 3;
        Buf x = random(batch * channels * spatial);
        Buf y = Buf.allocate(batch * channels);
        GlobalAvgPool.forward(x, y, batch, channels, spatial);
        for (int i = 0; i < batch * channels; i++) {
            double sum = 0;
            for (int p = 0; p < spatial; p++) {
                sum += x.get(i * spatial + p);
            }
            assertWithMessage("plane %s", i).that((double) y.get(i)).isWithin(1e-6).of(sum / spatial);
        }
        Buf dx = random(batch * channels * spatial);
        float[] before = dx.toArray();
        GlobalAvgPool.backward(y, dx, batch, channels, spatial, true);
        for (int i = 0; i < dx.size(); i++) {
            assertWithMessage("accumulated at %s", i).that(dx.get(i)).isEqualTo(before[i] + y.get(i / spatial) / spatial);
        }
        GlobalAvgPool.backward(y, dx, batch, channels, spatial, false);
        for (int i = 0; i < dx.size(); i++) {
            assertWithMessage("at %s", i).that(dx.get(i)).isEqualTo(y.get(i / spatial) / spatial);
        }
    }

    @Test
    void aCnnTrainingStepAllocatesNothing() {
        int batch = 4;
        ConvGeometry conv1 = ConvGeometry.same(1, 12, 12, 4, 3, 3, 1, 1);
        ConvGeometry conv2 = ConvGeometry.same(4, 6, 6, 6, 3, 3, 1, 1);
        ConvGeometry conv3 = ConvGeometry.symmetric(6, 3, 3, 5, 1, 1, 0);
        PoolGeometry pool1 = PoolGeometry.of(4, 12, 12, 2, 2);
        PoolGeometry pool2 = new PoolGeometry(6, 6, 6, 3, 3, 2, 2, 1, 1);
        Buf scratch = Buf.allocate(Math.max(Conv2d.scratchFloats(conv1), Conv2d.scratchFloats(conv2)));
        Buf x = random(batch * conv1.inputSize());
        Buf w1 = random(conv1.weightSize());
        Buf w2 = random(conv2.weightSize());
        Buf w3 = random(conv3.weightSize());
        Buf b3 = random(5);
        Buf g1 = random(4);
        Buf be1 = random(4);
        Buf rm = Buf.allocate(4);
        Buf rv = Buf.allocate(4);
        Buf saved = Buf.allocate(2 * 4);
        Buf c1 = Buf.allocate(batch * conv1.outputSize());
        Buf a1 = Buf.allocate(batch * conv1.outputSize());
        Buf p1 = Buf.allocate(batch * pool1.outputSize());
        Buf c2 = Buf.allocate(batch * conv2.outputSize());
        Buf p2 = Buf.allocate(batch * pool2.outputSize());
        Buf c3 = Buf.allocate(batch * conv3.outputSize());
        Buf ln = Buf.allocate(batch * conv3.outputSize());
        Buf lnGamma = random(45);
        Buf lnBeta = random(45);
        Buf gap = Buf.allocate(batch * 5);
        Buf d = Buf.allocate(batch * 4 * 144);
        Buf d2 = Buf.allocate(batch * 4 * 144);
        Buf dw1 = Buf.allocate(conv1.weightSize());
        Buf dw2 = Buf.allocate(conv2.weightSize());
        Buf dw3 = Buf.allocate(conv3.weightSize());
        Buf db = Buf.allocate(8);
        Buf dg = Buf.allocate(45);
        Buf dbeta = Buf.allocate(45);
        Runnable step = () -> {
            Conv2d.forward(conv1, x, w1, null, c1, scratch, batch, Activation.IDENTITY, 0f);
            BatchNorm.forwardTraining(c1, g1, be1, rm, rv, a1, saved, batch, 4, 144, 0.1f, 1e-5f, true);
            Pool2d.maxForward(pool1, a1, p1, batch);
            Conv2d.forward(conv2, p1, w2, null, c2, scratch, batch, Activation.TANH, 0f);
            Pool2d.avgForward(pool2, c2, p2, batch, true);
            Conv2d.forward(conv3, p2, w3, b3, c3, null, batch, Activation.RELU, 0f);
            LayerNorm.forward(c3, lnGamma, lnBeta, ln, null, null, batch, 45, 1e-5f);
            GlobalAvgPool.forward(ln, gap, batch, 5, 9);

            GlobalAvgPool.backward(gap, d, batch, 5, 9, false);
            LayerNorm.backward(c3, d, lnGamma, null, null, d, dg, dbeta, batch, 45, 1e-5f, false, false);
            Conv2d.biasBackward(Activation.RELU, 0f, c3, d, d, db, batch, 5, 9, false);
            Conv2d.backwardWeights(conv3, d, p2, dw3, null, batch, false);
            Conv2d.backwardInput(conv3, d, w3, d2, null, batch, false);
            Pool2d.avgBackward(pool2, d2, d, batch, true, false);
            Conv2d.biasBackward(Activation.TANH, 0f, c2, d, d, null, batch, 6, 36, false);
            Conv2d.backwardWeights(conv2, d, p1, dw2, scratch, batch, false);
            Conv2d.backwardInput(conv2, d, w2, d2, scratch, batch, false);
            Pool2d.maxBackward(pool1, a1, d2, d, batch, false);
            BatchNorm.backward(c1, a1, d, g1, saved, d, db, null, batch, 4, 144, 1e-5f, true, false, false);
            BatchNorm.forwardInference(c1, g1, be1, rm, rv, a1, batch, 4, 144, 1e-5f, true);
            BatchNorm.backwardInference(c1, a1, d, g1, rm, rv, d2, db, null, batch, 4, 144, 1e-5f, true, false, false);
            Conv2d.backwardWeights(conv1, d, x, dw1, scratch, batch, false);
            Conv2d.backwardInput(conv1, d, w1, d2, scratch, batch, false);
        };
        assertThat(Allocations.perRun(step, 1500)).isLessThan(16L);
        // Split over two threads, with scratch for two: the hand-over allocates nothing either. Two
        // strided shapes in turn: the gather table of im2col is rebuilt in place.
        ConvGeometry strided = ConvGeometry.symmetric(4, 6, 6, 5, 3, 2, 1);
        ConvGeometry unpadded = ConvGeometry.symmetric(4, 6, 6, 3, 3, 2, 0);
        Buf ws = random(strided.weightSize());
        Buf wu = random(unpadded.weightSize());
        Buf cs = Buf.allocate(batch * strided.outputSize());
        Buf cu = Buf.allocate(batch * unpadded.outputSize());
        Buf scratch2 = Buf.allocate(Math.max(Math.max(Conv2d.scratchFloats(conv1, 2), Conv2d.scratchFloats(conv2, 2)),
                Math.max(Conv2d.scratchFloats(strided, 2), Conv2d.scratchFloats(unpadded, 2))));
        Runnable convs = () -> {
            Conv2d.forward(conv2, p1, w2, null, c2, scratch2, batch, Activation.TANH, 0f);
            Conv2d.forward(conv3, p2, w3, b3, c3, null, batch, Activation.RELU, 0f);
            Conv2d.backwardWeights(conv2, c2, p1, dw2, scratch2, batch, false);
            Conv2d.backwardInput(conv2, c2, w2, d2, scratch2, batch, false);
            Conv2d.backwardWeights(conv3, c3, p2, dw3, scratch2, batch, false);
            Conv2d.forward(strided, p1, ws, null, cs, scratch2, batch, Activation.RELU, 0f);
            Conv2d.forward(unpadded, p1, wu, null, cu, scratch2, batch, Activation.RELU, 0f);
            Conv2d.backwardInput(strided, cs, ws, d2, scratch2, batch, false);
            Conv2d.backwardInput(unpadded, cu, wu, d2, scratch2, batch, false);
        };
        InContext.run(2, () -> {
            assertThat(Allocations.perRun(convs, 1500)).isLessThan(16L);
            // The helper thread did half the work, and allocated nothing doing it.
            Thread[] helper = new Thread[1];
            Workers.runTwo((part, parts) -> {
                if (part == 1) {
                    helper[0] = Thread.currentThread();
                }
            });
            assertThat(helper[0]).isNotSameInstanceAs(Thread.currentThread());
            ThreadMXBean threads = (ThreadMXBean) ManagementFactory.getThreadMXBean();
            long before = threads.getThreadAllocatedBytes(helper[0].getId());
            for (int i = 0; i < 100; i++) {
                convs.run();
            }
            assertThat((threads.getThreadAllocatedBytes(helper[0].getId()) - before) / 100).isLessThan(16L);
        });
    }

    /** {@code out} computed with {@code accumulate = true} over a copy of itself is twice the plain result. */
    private void checkAccumulates(int n, GradientCall call) {
        Buf plain = Buf.allocate(n);
        call.run(plain, false);
        Buf twice = Buf.of(plain.toArray());
        call.run(twice, true);
        float[] expected = plain.toArray();
        for (int i = 0; i < n; i++) {
            expected[i] *= 2;
        }
        Close.check("accumulated gradient", twice.toArray(), expected, 1e-5, 1e-6);
    }

    private interface GradientCall {
        void run(Buf out, boolean accumulate);
    }

    private Buf random(int n) {
        Buf b = Buf.allocate(n);
        for (int i = 0; i < n; i++) {
            b.set(i, (float) rng.nextGaussian());
        }
        return b;
    }
}
