package org.dnnc.runtime.cpu;

import static com.google.common.truth.Truth.assertWithMessage;

import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * {@link BatchNormPool} against the unfused kernels it replaces, {@link BatchNorm} with ReLU then
 * {@link Pool2d}, on one and two threads: the pooled values and running statistics are the same
 * floats (the same arithmetic), and the gradients agree within float rounding of the sums.
 */
class BatchNormPoolTest {

    @ParameterizedTest(name = "{0} threads, {2}x{3} planes, window {4} stride {5} pad {6}")
    @CsvSource({
        "1, 5, 6, 8, 2, 2, 0",
        "2, 5, 6, 8, 2, 2, 0",
        "2, 4, 7, 7, 2, 2, 0",
        "1, 2, 16, 16, 2, 2, 0",
        "2, 3, 15, 17, 2, 2, 0",
        "1, 3, 7, 6, 3, 2, 1",
        "2, 3, 7, 6, 3, 2, 1",
    })
    void matchesBatchnormReluThenMaxPool(int threads, int channels, int height, int width, int kernel, int stride,
            int pad) {
        int batch = 6;
        float eps = 1e-5f;
        PoolGeometry g = new PoolGeometry(channels, height, width, kernel, kernel, stride, stride, pad, pad);
        int in = batch * g.inputSize();
        int out = batch * g.outputSize();
        SplittableRandom random = new SplittableRandom(7);
        Buf x = random(in, random, 0.5f);
        // Some channels scale by a negative gamma: their windows pool the negated plane.
        Buf gamma = random(channels, random, 0.3f);
        Buf beta = random(channels, random, 0f);
        Buf dp = random(out, random, 0f);
        InContext.run(threads, () -> {
            int spatial = height * width;
            Buf meanA = constant(channels, 0.2f);
            Buf varA = constant(channels, 1.5f);
            Buf y = Buf.allocate(in);
            Buf expected = Buf.allocate(out);
            Buf savedA = Buf.allocate(2 * channels);
            BatchNorm.forwardTraining(x, gamma, beta, meanA, varA, y, savedA, batch, channels, spatial, 0.1f, eps,
                    true);
            Pool2d.maxForward(g, y, expected, batch);
            Buf meanB = constant(channels, 0.2f);
            Buf varB = constant(channels, 1.5f);
            Buf actual = Buf.allocate(out);
            Buf savedB = Buf.allocate(2 * channels);
            BatchNormPool.forwardTraining(x, gamma, beta, meanB, varB, g, actual, savedB, batch, 0.1f, eps);
            assertSame("pooled", expected, actual, out, 0);
            assertSame("saved statistics", savedA, savedB, 2 * channels, 0);
            assertSame("running mean", meanA, meanB, channels, 0);
            assertSame("running variance", varA, varB, channels, 0);

            Buf dy = Buf.allocate(in);
            Pool2d.maxBackward(g, y, dp, dy, batch, false);
            Buf dx = Buf.allocate(in);
            Buf dgamma = Buf.allocate(channels);
            Buf dbeta = Buf.allocate(channels);
            BatchNorm.backward(x, y, dy, gamma, savedA, dx, dgamma, dbeta, batch, channels, spatial, eps, true,
                    false, false);
            Buf fusedDx = Buf.allocate(in);
            Buf fusedDgamma = Buf.allocate(channels);
            Buf fusedDbeta = Buf.allocate(channels);
            BatchNormPool.backward(x, dp, gamma, beta, savedB, g, fusedDx, fusedDgamma, fusedDbeta, batch, eps);
            assertSame("dbeta", dbeta, fusedDbeta, channels, 1e-5);
            assertSame("dgamma", dgamma, fusedDgamma, channels, 1e-5);
            assertSame("dx", dx, fusedDx, in, 1e-5);
            // Each gradient alone, as a program that needs only some of them calls it; the statistics
            // recomputed from x are the saved ones, bit for bit.
            Buf onlyDx = Buf.allocate(in);
            BatchNormPool.backward(x, dp, gamma, beta, null, g, onlyDx, null, null, batch, eps);
            assertSame("dx alone, statistics recomputed", fusedDx, onlyDx, in, 0);
            Buf onlyDgamma = Buf.allocate(channels);
            BatchNormPool.backward(x, dp, gamma, beta, null, g, null, onlyDgamma, null, batch, eps);
            assertSame("dgamma alone, statistics recomputed", fusedDgamma, onlyDgamma, channels, 0);
        });
    }

    /**
     * The gradients against central differences of {@code Σ r · p}. Each channel's inputs are a
     * shuffle of values 0.1 apart, and beta is 0, so that the ReLU's kink (at the channel's mean) and
     * every tie of a window lie at least a half gap from any value: no step of the check (0.01) moves
     * a value across them. One gamma is negative, the case where pooling x first must pool {@code -x}.
     */
    @ParameterizedTest(name = "window {0} stride {1} pad {2}")
    @CsvSource({"2, 2, 0", "3, 2, 1"})
    void gradientsMatchFiniteDifferences(int kernel, int stride, int pad) {
        int batch = 2;
        int channels = 2;
        PoolGeometry g = new PoolGeometry(channels, 6, 6, kernel, kernel, stride, stride, pad, pad);
        int in = batch * g.inputSize();
        SplittableRandom random = new SplittableRandom(11);
        // Each channel holds a shuffle of 0, 0.1, ..., 7.1: its mean, 3.55, lies halfway between two values.
        int perChannel = batch * 36;
        float[] values = new float[in];
        for (int c = 0; c < channels; c++) {
            float[] shuffled = new float[perChannel];
            for (int i = 0; i < perChannel; i++) {
                shuffled[i] = 0.1f * i;
            }
            for (int i = perChannel - 1; i > 0; i--) {
                int j = random.nextInt(i + 1);
                float t = shuffled[i];
                shuffled[i] = shuffled[j];
                shuffled[j] = t;
            }
            for (int i = 0; i < perChannel; i++) {
                values[(i / 36 * channels + c) * 36 + i % 36] = shuffled[i];
            }
        }
        Buf x = Buf.of(values);
        Buf gamma = Buf.of(1.3f, -0.7f);
        Buf beta = Buf.of(0f, 0f);
        Buf r = random(batch * g.outputSize(), random, 0f);
        Buf p = Buf.allocate(batch * g.outputSize());
        Buf dx = Buf.allocate(in);
        Buf dgamma = Buf.allocate(channels);
        Buf dbeta = Buf.allocate(channels);
        InContext.run(1, () -> {
            BatchNormPool.backward(x, r, gamma, beta, null, g, dx, dgamma, dbeta, batch, 1e-5f);
            java.util.function.DoubleSupplier loss = () -> {
                BatchNormPool.forwardTraining(x, gamma, beta, null, null, g, p, null, batch, 0.1f, 1e-5f);
                return FiniteDifferences.dot(r, p);
            };
            FiniteDifferences.check("batchnorm_relu_maxpool dx", x, dx, loss);
            FiniteDifferences.check("batchnorm_relu_maxpool dgamma", gamma, dgamma, loss);
            FiniteDifferences.check("batchnorm_relu_maxpool dbeta", beta, dbeta, loss);
        });
    }

    private static Buf random(int n, SplittableRandom random, float offset) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = offset + (float) random.nextDouble(-1, 1);
        }
        return Buf.of(v);
    }

    private static Buf constant(int n, float value) {
        float[] v = new float[n];
        java.util.Arrays.fill(v, value);
        return Buf.of(v);
    }

    /** Every value within {@code tolerance} of the largest magnitude of {@code expected}. */
    private static void assertSame(String what, Buf expected, Buf actual, int n, double tolerance) {
        double scale = 0;
        for (int i = 0; i < n; i++) {
            scale = Math.max(scale, Math.abs(expected.data.get(i)));
        }
        assertWithMessage("largest magnitude of %s", what).that(scale).isGreaterThan(1e-3);
        for (int i = 0; i < n; i++) {
            assertWithMessage("%s[%s]", what, i).that((double) actual.data.get(i))
                    .isWithin(tolerance * scale).of(expected.data.get(i));
        }
    }
}
