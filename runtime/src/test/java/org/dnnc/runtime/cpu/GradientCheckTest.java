package org.dnnc.runtime.cpu;

import java.nio.IntBuffer;
import java.util.function.DoubleSupplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Every backward rule against central finite differences of its own forward kernel.
 *
 * <p>The scalar objective is {@code L = sum_i r_i y_i} with fixed random {@code r} (so the
 * analytic gradient is the backward kernel fed {@code dy = r}), evaluated in {@code double} from
 * the float outputs. Perturbing inputs in float with step {@code h = 1e-2} gives a truncation error
 * of order {@code h^2} and a rounding error of order {@code 1e-7 / h}; both stay well inside the
 * tolerances {@code |numeric - analytic| <= 2e-3 + 1e-2 |analytic|}. Inputs are drawn away from the
 * kinks of ReLU-like functions.
 */
class GradientCheckTest {

    private final Rng rng = new Rng(7);

    @ParameterizedTest
    @EnumSource(Activation.class)
    void activationBackward(Activation act) {
        int n = 24;
        float param = act == Activation.LEAKY_RELU ? 0.1f : act == Activation.ELU ? 0.7f : 0f;
        Buf x = awayFromZero(n);
        Buf y = Buf.allocate(n);
        Buf r = random(n);
        Activations.forward(act, param, x, y, n);
        Buf dx = Buf.allocate(n);
        Activations.backward(act, param, y, r, dx, n);
        FiniteDifferences.check(act + " dx", x, dx, () -> {
            Activations.forward(act, param, x, y, n);
            return FiniteDifferences.dot(r, y);
        });
    }

    @ParameterizedTest
    @EnumSource(Activation.class)
    void denseWithFusedActivation(Activation act) {
        int batch = 3;
        int in = 4;
        int out = 5;
        float param = act == Activation.LEAKY_RELU ? 0.1f : act == Activation.ELU ? 0.7f : 0f;
        Buf x = random(batch * in);
        Buf w = random(out * in);
        Buf b = random(out);
        Buf y = Buf.allocate(batch * out);
        Buf r = random(batch * out);
        DoubleSupplier loss = () -> {
            Dense.forward(x, w, b, y, batch, in, out, act, param);
            return FiniteDifferences.dot(r, y);
        };
        loss.getAsDouble();
        if (act == Activation.RELU || act == Activation.LEAKY_RELU) {
            // Move pre-activations off the kink so that a step of h cannot cross it.
            for (int i = 0; i < y.size(); i++) {
                if (Math.abs(y.get(i)) < 0.1f) {
                    b.set(i % out, b.get(i % out) + 0.3f);
                }
            }
            loss.getAsDouble();
        }
        Buf dz = Buf.allocate(batch * out);
        Buf dx = Buf.allocate(batch * in);
        Buf dw = Buf.allocate(out * in);
        Buf db = Buf.allocate(out);
        Activations.biasBackward(act, param, y, r, dz, db, batch, out, false);
        Dense.backwardWeights(dz, x, dw, batch, in, out, false);
        Dense.backwardInput(dz, w, dx, batch, in, out, false);
        FiniteDifferences.check(act + " dense dx", x, dx, loss);
        FiniteDifferences.check(act + " dense dW", w, dw, loss);
        FiniteDifferences.check(act + " dense db", b, db, loss);
    }

    @Test
    void softmaxAndLogSoftmax() {
        int rows = 3;
        int cols = 6;
        Buf x = random(rows * cols);
        Buf y = Buf.allocate(rows * cols);
        Buf r = random(rows * cols);
        Buf dx = Buf.allocate(rows * cols);

        Softmax.forward(x, y, rows, cols);
        Softmax.backward(y, r, dx, rows, cols);
        FiniteDifferences.check("softmax dx", x, dx, () -> {
            Softmax.forward(x, y, rows, cols);
            return FiniteDifferences.dot(r, y);
        });

        Softmax.logForward(x, y, rows, cols);
        Softmax.logBackward(y, r, dx, rows, cols);
        FiniteDifferences.check("log_softmax dx", x, dx, () -> {
            Softmax.logForward(x, y, rows, cols);
            return FiniteDifferences.dot(r, y);
        });
    }

    @Test
    void addAndMul() {
        int n = 10;
        Buf a = random(n);
        Buf b = random(n);
        Buf y = Buf.allocate(n);
        Buf r = random(n);
        Buf da = Buf.allocate(n);
        Buf db = Buf.allocate(n);
        Elementwise.addBackward(r, da, db, n);
        DoubleSupplier add = () -> {
            Elementwise.add(a, b, y, n);
            return FiniteDifferences.dot(r, y);
        };
        FiniteDifferences.check("add da", a, da, add);
        FiniteDifferences.check("add db", b, db, add);

        Elementwise.mulBackward(a, b, r, da, db, n);
        DoubleSupplier mul = () -> {
            Elementwise.mul(a, b, y, n);
            return FiniteDifferences.dot(r, y);
        };
        FiniteDifferences.check("mul da", a, da, mul);
        FiniteDifferences.check("mul db", b, db, mul);
    }

    @Test
    void concat() {
        int outer = 3;
        Buf a = random(outer * 2);
        Buf b = random(outer * 3);
        Buf y = Buf.allocate(outer * 5);
        Buf r = random(outer * 5);
        Buf da = Buf.allocate(outer * 2);
        Buf db = Buf.allocate(outer * 3);
        Concat.backward(r, da, 2, db, 3, outer);
        DoubleSupplier loss = () -> {
            Concat.forward(a, 2, b, 3, y, outer);
            return FiniteDifferences.dot(r, y);
        };
        FiniteDifferences.check("concat da", a, da, loss);
        FiniteDifferences.check("concat db", b, db, loss);
    }

    @Test
    void dropoutWithAFixedMask() {
        int n = 16;
        Buf x = random(n);
        Buf y = Buf.allocate(n);
        Buf mask = Buf.allocate(n);
        Buf r = random(n);
        // Re-seeding draws the same mask on every evaluation, which is what backward assumes.
        DoubleSupplier loss = () -> {
            Dropout.forward(x, y, mask, n, 0.3f, new Rng(11));
            return FiniteDifferences.dot(r, y);
        };
        loss.getAsDouble();
        Buf dx = Buf.allocate(n);
        Dropout.backward(r, mask, dx, n);
        FiniteDifferences.check("dropout dx", x, dx, loss);
    }

    @Test
    void losses() {
        int n = 12;
        Buf pred = random(n);
        Buf target = random(n);
        Buf dpred = Buf.allocate(n);
        Buf dtarget = Buf.allocate(n);
        Losses.mse(pred, target, dpred, dtarget, n);
        DoubleSupplier mse = () -> Losses.mse(pred, target, null, null, n);
        FiniteDifferences.check("mse dpred", pred, dpred, mse);
        FiniteDifferences.check("mse dtarget", target, dtarget, mse);

        Buf probs = Buf.allocate(n);
        for (int i = 0; i < n; i++) {
            probs.set(i, rng.nextFloat());
        }
        Losses.bceWithLogits(pred, probs, dpred, dtarget, n);
        DoubleSupplier bce = () -> Losses.bceWithLogits(pred, probs, null, null, n);
        FiniteDifferences.check("bce dlogits", pred, dpred, bce);
        FiniteDifferences.check("bce dtarget", probs, dtarget, bce);

        int batch = 3;
        int classes = 4;
        Buf logits = random(batch * classes);
        IntBuffer labels = IntBuffer.wrap(new int[] {2, 0, 3});
        Buf dlogits = Buf.allocate(batch * classes);
        Losses.softmaxCrossEntropy(logits, labels, dlogits, batch, classes);
        FiniteDifferences.check("cross-entropy dlogits", logits, dlogits,
                () -> Losses.softmaxCrossEntropy(logits, labels, null, batch, classes));
    }

    private Buf random(int n) {
        Buf b = Buf.allocate(n);
        for (int i = 0; i < n; i++) {
            b.set(i, (float) rng.nextGaussian());
        }
        return b;
    }

    private Buf awayFromZero(int n) {
        Buf b = Buf.allocate(n);
        for (int i = 0; i < n; i++) {
            float v = 0.1f + 1.5f * rng.nextFloat();
            b.set(i, (i & 1) == 0 ? v : -v);
        }
        return b;
    }
}
