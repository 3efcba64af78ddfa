package org.dnnc.runtime.cpu;

import static com.google.common.truth.Truth.assertThat;

import java.util.function.DoubleSupplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The backward rules of the convolution, pooling and normalization kernels against central finite
 * differences of their own forward kernels, with {@link GradientCheckTest}'s method: {@code L =
 * sum_i r_i y_i} for fixed random {@code r}, evaluated in {@code double} from the float outputs;
 * float steps of {@code h = 1e-2}; tolerances {@code |numeric - analytic| <= 2e-3 + 1e-2
 * |analytic|}. Max pooling gets inputs whose values differ by more than {@code 2h} so that no step
 * changes a window's winner; convolution shapes cover asymmetric padding, strides, non-square
 * kernels and the pointwise path.
 */
class ConvGradientCheckTest {

    private final Rng rng = new Rng(17);

    static ConvGeometry[] convShapes() {
        return new ConvGeometry[] {
            ConvGeometry.same(2, 5, 6, 3, 3, 3, 1, 1), // symmetric 1-pixel padding
            ConvGeometry.same(2, 6, 5, 3, 4, 2, 1, 1), // even kernel: the odd pixel bottom/right
            ConvGeometry.same(2, 7, 8, 3, 3, 3, 2, 2), // strided same padding, asymmetric on one side
            new ConvGeometry(2, 6, 7, 3, 2, 3, 2, 1, 0, 1, 1, 0), // valid-ish, mixed strides
            ConvGeometry.symmetric(3, 4, 4, 2, 1, 1, 0), // pointwise: no im2col
            ConvGeometry.symmetric(3, 5, 5, 2, 1, 2, 0), // 1x1 with stride 2: im2col path
        };
    }

    @ParameterizedTest
    @MethodSource("convShapes")
    void conv2d(ConvGeometry geo) {
        int batch = 2;
        Buf x = random(batch * geo.inputSize());
        Buf w = random(geo.weightSize());
        Buf b = random(geo.filters());
        Buf y = Buf.allocate(batch * geo.outputSize());
        Buf r = random(batch * geo.outputSize());
        Buf scratch = Buf.allocate(Conv2d.scratchFloats(geo));
        DoubleSupplier loss = () -> {
            Conv2d.forward(geo, x, w, b, y, scratch, batch, Activation.IDENTITY, 0f);
            return FiniteDifferences.dot(r, y);
        };
        Buf dx = Buf.allocate(batch * geo.inputSize());
        Buf dw = Buf.allocate(geo.weightSize());
        Buf db = Buf.allocate(geo.filters());
        int spatial = geo.outHeight() * geo.outWidth();
        Conv2d.backwardBias(r, db, batch, geo.filters(), spatial, false);
        Conv2d.backwardWeights(geo, r, x, dw, scratch, batch, false);
        Conv2d.backwardInput(geo, r, w, dx, scratch, batch, false);
        FiniteDifferences.check(geo + " dx", x, dx, loss);
        FiniteDifferences.check(geo + " dW", w, dw, loss);
        FiniteDifferences.check(geo + " db", b, db, loss);
    }

    @ParameterizedTest
    @ValueSource(strings = {"TANH", "SIGMOID", "ELU", "RELU"})
    void conv2dWithFusedActivation(Activation act) {
        ConvGeometry geo = ConvGeometry.same(2, 5, 5, 3, 3, 3, 1, 1);
        int batch = 2;
        float param = act == Activation.ELU ? 1f : 0f; // alpha 1: ELU's slope is continuous at 0
        Buf x = random(batch * geo.inputSize());
        Buf w = random(geo.weightSize());
        Buf b = random(geo.filters());
        Buf y = Buf.allocate(batch * geo.outputSize());
        Buf r = random(batch * geo.outputSize());
        Buf scratch = Buf.allocate(Conv2d.scratchFloats(geo));
        int spatial = geo.outHeight() * geo.outWidth();
        DoubleSupplier loss = () -> {
            Conv2d.forward(geo, x, w, b, y, scratch, batch, act, param);
            return FiniteDifferences.dot(r, y);
        };
        loss.getAsDouble();
        if (act == Activation.RELU) {
            // Keep pre-activations off the kink: small weights, and a bias of +-3 per channel puts
            // every pre-activation of a channel on one side, far from 0 against a step of h.
            for (int i = 0; i < w.size(); i++) {
                w.set(i, w.get(i) * 0.1f);
            }
            for (int c = 0; c < geo.filters(); c++) {
                b.set(c, c % 2 == 0 ? 3f : -3f);
            }
            Conv2d.forward(geo, x, w, b, y, scratch, batch, Activation.IDENTITY, 0f);
            for (int i = 0; i < y.size(); i++) {
                assertThat(Math.abs(y.get(i))).isGreaterThan(1f);
            }
            loss.getAsDouble();
        }
        Buf dz = Buf.allocate(batch * geo.outputSize());
        Buf dx = Buf.allocate(batch * geo.inputSize());
        Buf dw = Buf.allocate(geo.weightSize());
        Buf db = Buf.allocate(geo.filters());
        Conv2d.biasBackward(act, param, y, r, dz, db, batch, geo.filters(), spatial, false);
        Conv2d.backwardWeights(geo, dz, x, dw, scratch, batch, false);
        Conv2d.backwardInput(geo, dz, w, dx, scratch, batch, false);
        FiniteDifferences.check(act + " conv dx", x, dx, loss);
        FiniteDifferences.check(act + " conv dW", w, dw, loss);
        FiniteDifferences.check(act + " conv db", b, db, loss);
    }

    static PoolGeometry[] poolShapes() {
        return new PoolGeometry[] {
            PoolGeometry.of(2, 4, 6, 2, 2),
            PoolGeometry.of(2, 5, 5, 2, 2), // the last row and column fall outside every window
            new PoolGeometry(2, 5, 6, 3, 3, 2, 2, 1, 1), // padded, overlapping
            new PoolGeometry(1, 4, 5, 3, 2, 1, 1, 1, 0), // stride 1, padding in one direction
        };
    }

    @ParameterizedTest
    @MethodSource("poolShapes")
    void maxpool(PoolGeometry geo) {
        int batch = 2;
        int n = batch * geo.inputSize();
        Buf x = distinct(n);
        Buf y = Buf.allocate(batch * geo.outputSize());
        Buf r = random(batch * geo.outputSize());
        Buf dx = Buf.allocate(n);
        Pool2d.maxBackward(geo, x, r, dx, batch, false);
        FiniteDifferences.check(geo + " maxpool dx", x, dx, () -> {
            Pool2d.maxForward(geo, x, y, batch);
            return FiniteDifferences.dot(r, y);
        });
    }

    @ParameterizedTest
    @MethodSource("poolShapes")
    void avgpool(PoolGeometry geo) {
        int batch = 2;
        int n = batch * geo.inputSize();
        for (boolean includePad : new boolean[] {true, false}) {
            Buf x = random(n);
            Buf y = Buf.allocate(batch * geo.outputSize());
            Buf r = random(batch * geo.outputSize());
            Buf dx = Buf.allocate(n);
            Pool2d.avgBackward(geo, r, dx, batch, includePad, false);
            FiniteDifferences.check(geo + " avgpool dx (count_include_pad " + includePad + ")", x, dx, () -> {
                Pool2d.avgForward(geo, x, y, batch, includePad);
                return FiniteDifferences.dot(r, y);
            });
        }
    }

    @Test
    void globalAvgpool() {
        int batch = 2;
        int channels = 3;
        int spatial = 7;
        Buf x = random(batch * channels * spatial);
        Buf y = Buf.allocate(batch * channels);
        Buf r = random(batch * channels);
        Buf dx = Buf.allocate(x.size());
        GlobalAvgPool.backward(r, dx, batch, channels, spatial, false);
        FiniteDifferences.check("global avgpool dx", x, dx, () -> {
            GlobalAvgPool.forward(x, y, batch, channels, spatial);
            return FiniteDifferences.dot(r, y);
        });
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 6})
    void batchnormTraining(int spatial) {
        int batch = 4;
        int channels = 3;
        int n = batch * channels * spatial;
        float eps = 1e-5f;
        Buf x = random(n);
        Buf gamma = random(channels);
        Buf beta = random(channels);
        Buf y = Buf.allocate(n);
        Buf r = random(n);
        Buf saved = Buf.allocate(2 * channels);
        BatchNorm.forwardTraining(x, gamma, beta, null, null, y, saved, batch, channels, spatial, 0.1f, eps,
                false);
        Buf dx = Buf.allocate(n);
        Buf dgamma = Buf.allocate(channels);
        Buf dbeta = Buf.allocate(channels);
        BatchNorm.backward(x, null, r, gamma, saved, dx, dgamma, dbeta, batch, channels, spatial, eps, false,
                false, false);
        DoubleSupplier loss = () -> {
            BatchNorm.forwardTraining(x, gamma, beta, null, null, y, null, batch, channels, spatial, 0.1f, eps,
                    false);
            return FiniteDifferences.dot(r, y);
        };
        FiniteDifferences.check("batchnorm dx", x, dx, loss);
        FiniteDifferences.check("batchnorm dgamma", gamma, dgamma, loss);
        FiniteDifferences.check("batchnorm dbeta", beta, dbeta, loss);
    }

    @Test
    void batchnormInference() {
        int batch = 3;
        int channels = 2;
        int spatial = 4;
        int n = batch * channels * spatial;
        float eps = 1e-5f;
        Buf x = random(n);
        Buf gamma = random(channels);
        Buf beta = random(channels);
        Buf runningMean = random(channels);
        Buf runningVar = Buf.of(0.7f, 1.6f);
        Buf y = Buf.allocate(n);
        Buf r = random(n);
        Buf dx = Buf.allocate(n);
        Buf dgamma = Buf.allocate(channels);
        Buf dbeta = Buf.allocate(channels);
        BatchNorm.backwardInference(x, null, r, gamma, runningMean, runningVar, dx, dgamma, dbeta, batch, channels,
                spatial, eps, false, false, false);
        DoubleSupplier loss = () -> {
            BatchNorm.forwardInference(x, gamma, beta, runningMean, runningVar, y, batch, channels, spatial, eps, false);
            return FiniteDifferences.dot(r, y);
        };
        FiniteDifferences.check("batchnorm (inference) dx", x, dx, loss);
        FiniteDifferences.check("batchnorm (inference) dgamma", gamma, dgamma, loss);
        FiniteDifferences.check("batchnorm (inference) dbeta", beta, dbeta, loss);
    }

    @Test
    void layernorm() {
        int rows = 3;
        int cols = 7;
        float eps = 1e-5f;
        Buf x = random(rows * cols);
        Buf gamma = random(cols);
        Buf beta = random(cols);
        Buf y = Buf.allocate(rows * cols);
        Buf r = random(rows * cols);
        Buf dx = Buf.allocate(rows * cols);
        Buf dgamma = Buf.allocate(cols);
        Buf dbeta = Buf.allocate(cols);
        LayerNorm.backward(x, r, gamma, null, null, dx, dgamma, dbeta, rows, cols, eps, false, false);
        DoubleSupplier loss = () -> {
            LayerNorm.forward(x, gamma, beta, y, null, null, rows, cols, eps);
            return FiniteDifferences.dot(r, y);
        };
        FiniteDifferences.check("layernorm dx", x, dx, loss);
        FiniteDifferences.check("layernorm dgamma", gamma, dgamma, loss);
        FiniteDifferences.check("layernorm dbeta", beta, dbeta, loss);
    }

    private Buf random(int n) {
        Buf b = Buf.allocate(n);
        for (int i = 0; i < n; i++) {
            b.set(i, (float) rng.nextGaussian());
        }
        return b;
    }

    /** A random permutation of {@code 0.1 * (i - n / 2)}: all values at least {@code 10 h} apart. */
    private Buf distinct(int n) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = 0.1f * (i - n / 2);
        }
        for (int i = n - 1; i > 0; i--) {
            int j = (int) ((rng.nextLong() >>> 1) % (i + 1));
            float t = v[i];
            v[i] = v[j];
            v[j] = t;
        }
        return Buf.of(v);
    }
}
