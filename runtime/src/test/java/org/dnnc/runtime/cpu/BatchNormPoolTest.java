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
        Buf gamma = random(channels, random, 1f);
        Buf beta = random(channels, random, 0f);
        Buf dp = random(out, random, 0f);
        InContext.run(threads, () -> {
            int spatial = height * width;
            Buf meanA = constant(channels, 0.2f);
            Buf varA = constant(channels, 1.5f);
            Buf y = Buf.allocate(in);
            Buf expected = Buf.allocate(out);
            BatchNorm.forwardTraining(x, gamma, beta, meanA, varA, y, null, null, batch, channels, spatial, 0.1f, eps,
                    true);
            Pool2d.maxForward(g, y, expected, batch);
            Buf meanB = constant(channels, 0.2f);
            Buf varB = constant(channels, 1.5f);
            Buf actual = Buf.allocate(out);
            BatchNormPool.forwardTraining(x, gamma, beta, meanB, varB, g, actual, batch, 0.1f, eps);
            assertSame("pooled", expected, actual, out, 0);
            assertSame("running mean", meanA, meanB, channels, 0);
            assertSame("running variance", varA, varB, channels, 0);

            Buf dy = Buf.allocate(in);
            Pool2d.maxBackward(g, y, dp, dy, batch, false);
            Buf dx = Buf.allocate(in);
            Buf dgamma = Buf.allocate(channels);
            Buf dbeta = Buf.allocate(channels);
            BatchNorm.backward(x, y, dy, gamma, null, null, dx, dgamma, dbeta, batch, channels, spatial, eps, true,
                    false, false);
            Buf fusedDx = Buf.allocate(in);
            Buf fusedDgamma = Buf.allocate(channels);
            Buf fusedDbeta = Buf.allocate(channels);
            BatchNormPool.backward(x, dp, gamma, beta, g, fusedDx, fusedDgamma, fusedDbeta, batch, eps);
            assertSame("dbeta", dbeta, fusedDbeta, channels, 1e-5);
            assertSame("dgamma", dgamma, fusedDgamma, channels, 1e-5);
            assertSame("dx", dx, fusedDx, in, 1e-5);
            // Each gradient alone, as a program that needs only some of them calls it.
            Buf onlyDx = Buf.allocate(in);
            BatchNormPool.backward(x, dp, gamma, beta, g, onlyDx, null, null, batch, eps);
            assertSame("dx alone", fusedDx, onlyDx, in, 0);
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
