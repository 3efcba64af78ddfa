package org.dnnc.runtime.cpu;

import static com.google.common.truth.Truth.assertThat;

import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/**
 * The dense kernels, batch normalization, the convolution bias gradient and Adam split large
 * calls over two threads in a two-thread {@link CpuContext} ({@link Workers}). Adam computes
 * every element alone, so one and two threads agree bit for bit; a GEMM on half the rows may be
 * blocked differently by OpenBLAS, so the dense kernels agree to float rounding (relative 1e-5,
 * absolute 1e-4 for sums of 785 products about 30 in size).
 * Shapes are odd and above the split thresholds (over 1M multiply-adds, over 32k parameters) so
 * that the halves are uneven and the split really happens.
 */
class SplitKernelsTest {

    @Test
    void denseForwardAndGradientsMatchOneThread() {
        int batch = 33;
        int in = 785;
        int out = 203;
        Buf x = Gaussian.buf(batch * in, 1);
        Buf w = Gaussian.buf(out * in, 2);
        Buf b = Gaussian.buf(out, 3);
        Buf dz = Gaussian.buf(batch * out, 4);
        for (Activation act : new Activation[] {Activation.RELU, Activation.SIGMOID, Activation.IDENTITY}) {
            for (boolean bias : new boolean[] {true, false}) {
                float[][] forward = bothWays(() -> {
                    Buf y = Buf.allocate(batch * out);
                    Dense.forward(x, w, bias ? b : null, y, batch, in, out, act, 0f);
                    return y.toArray();
                });
                Close.check(act + " forward, bias " + bias, forward[1], forward[0], 1e-5, 1e-4);
            }
        }
        for (boolean accumulate : new boolean[] {false, true}) {
            float[][] input = bothWays(() -> {
                Buf dx = Gaussian.buf(batch * in, 5);
                Dense.backwardInput(dz, w, dx, batch, in, out, accumulate);
                return dx.toArray();
            });
            Close.check("input gradient", input[1], input[0], 1e-5, 1e-4);
            float[][] weights = bothWays(() -> {
                Buf dw = Gaussian.buf(out * in, 6);
                Dense.backwardWeights(dz, x, dw, batch, in, out, accumulate);
                return dw.toArray();
            });
            Close.check("weight gradient", weights[1], weights[0], 1e-5, 1e-4);
        }
    }

    @Test
    void denseSplitComputesTheProduct() {
        // Against a plain triple loop, so that a wrong offset in one half cannot hide behind the
        // comparison of two split calls.
        int batch = 9;
        int in = 700;
        int out = 700;
        Buf x = Gaussian.buf(batch * in, 7);
        Buf w = Gaussian.buf(out * in, 8);
        Buf y = Buf.allocate(batch * out);
        InContext.run(2, () -> Dense.forward(x, w, null, y, batch, in, out, Activation.IDENTITY, 0f));
        for (int r = 0; r < batch; r++) {
            for (int o = 0; o < out; o++) {
                double sum = 0;
                for (int i = 0; i < in; i++) {
                    sum += (double) x.get(r * in + i) * w.get(o * in + i);
                }
                assertThat((double) y.get(r * out + o)).isWithin(1e-3).of(sum);
            }
        }
    }

    @Test
    void adamMatchesOneThread() {
        int n = 100_003;
        Buf g = Gaussian.buf(n, 9);
        float[][] results = bothWays(() -> {
            Buf p = Gaussian.buf(n, 10);
            Buf m = Gaussian.buf(n, 11);
            Buf v = Buf.allocate(n);
            for (long step = 1; step <= 3; step++) {
                Optimizers.adam(p, g, m, v, n, 1e-3f, 0.9f, 0.999f, 1e-8f, 0.01f, 0f, step);
            }
            float[] all = new float[3 * n];
            System.arraycopy(p.toArray(), 0, all, 0, n);
            System.arraycopy(m.toArray(), 0, all, n, n);
            System.arraycopy(v.toArray(), 0, all, 2 * n, n);
            return all;
        });
        assertThat(results[1]).isEqualTo(results[0]);
    }

    @Test
    void batchNormMatchesOneThread() {
        int batch = 7;
        int channels = 5;
        int spatial = 37;
        int size = batch * channels * spatial;
        Buf x = Gaussian.buf(size, 14);
        Buf dy = Gaussian.buf(size, 15);
        Buf gamma = Gaussian.buf(channels, 16);
        Buf beta = Gaussian.buf(channels, 17);
        for (boolean relu : new boolean[] {false, true}) {
            for (boolean saved : new boolean[] {false, true}) {
                float[][] results = bothWays(() -> {
                    Buf runningMean = Buf.allocate(channels);
                    Buf runningVar = Buf.of(1f, 1f, 1f, 1f, 1f);
                    Buf statistics = Buf.allocate(2 * channels);
                    Buf y = Buf.allocate(size);
                    BatchNorm.forwardTraining(x, gamma, beta, runningMean, runningVar, y, statistics, batch,
                            channels, spatial, 0.1f, 1e-5f, relu);
                    Buf dx = Buf.allocate(size);
                    Buf dgamma = Buf.allocate(channels);
                    Buf dbeta = Buf.allocate(channels);
                    BatchNorm.backward(x, y, dy, gamma, saved ? statistics : null, dx, dgamma, dbeta,
                            batch, channels, spatial, 1e-5f, relu, false, false);
                    Buf[] parts = {y, runningMean, runningVar, dx, dgamma, dbeta};
                    float[] all = new float[0];
                    for (Buf part : parts) {
                        float[] more = part.toArray();
                        float[] joined = java.util.Arrays.copyOf(all, all.length + more.length);
                        System.arraycopy(more, 0, joined, all.length, more.length);
                        all = joined;
                    }
                    return all;
                });
                // Per-channel sums are added in two halves: a few ulps of difference at most.
                Close.check("batchnorm relu " + relu + " saved " + saved, results[1], results[0], 1e-5, 1e-6);
            }
        }
    }

    @Test
    void convolutionBiasGradientMatchesOneThread() {
        int batch = 5;
        int channels = 3;
        int spatial = 49;
        int size = batch * channels * spatial;
        Buf y = Gaussian.buf(size, 18);
        Buf dy = Gaussian.buf(size, 19);
        for (Activation act : new Activation[] {Activation.IDENTITY, Activation.RELU, Activation.TANH}) {
            float[][] results = bothWays(() -> {
                Buf dz = Buf.allocate(size);
                Buf db = Buf.of(0.5f, -0.5f, 1f);
                Conv2d.biasBackward(act, 0f, y, dy, dz, db, batch, channels, spatial, true);
                float[] all = java.util.Arrays.copyOf(dz.toArray(), size + channels);
                System.arraycopy(db.toArray(), 0, all, size, channels);
                return all;
            });
            Close.check(act + " bias gradient", results[1], results[0], 1e-6, 1e-6);
        }
    }

    @Test
    void reluBackwardOverManyChunksMasksByTheOutput() {
        int rows = 7;
        int cols = 450; // 3150 values: three chunks and a partial one
        Buf y = Gaussian.buf(rows * cols, 12);
        Buf dy = Gaussian.buf(rows * cols, 13);
        Buf dx = Buf.allocate(rows * cols);
        Activations.backward(Activation.RELU, 0f, y, dy, dx, rows * cols);
        Buf dz = Buf.allocate(rows * cols);
        Buf db = Buf.allocate(cols);
        Activations.biasBackward(Activation.RELU, 0f, y, dy, dz, db, rows, cols, false);
        for (int c = 0; c < cols; c++) {
            double sum = 0;
            for (int r = 0; r < rows; r++) {
                int i = r * cols + c;
                float expected = y.get(i) > 0f ? dy.get(i) : 0f;
                assertThat(dx.get(i)).isEqualTo(expected);
                assertThat(dz.get(i)).isEqualTo(expected);
                sum += expected;
            }
            assertThat((double) db.get(c)).isWithin(1e-5).of(sum);
        }
    }

    /** The result in a context of one thread, then of two (both with OpenBLAS at one thread). */
    private static float[][] bothWays(Supplier<float[]> call) {
        return new float[][] {InContext.call(1, call), InContext.call(2, call)};
    }
}
